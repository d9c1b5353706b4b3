"""No import cycle among stakenet's modules, counting every import statement wherever it stands
(inside a function, or under `if TYPE_CHECKING:`): a cycle hidden in a function still ties the
two modules together, and breaks as soon as one is loaded in a new order."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE_ROOT = Path(__file__).parents[2] / "src" / "stakenet"
BENCHMARKS_ROOT = Path(__file__).parents[2] / "benchmarks"


def module_name(path: Path, root: Path = PACKAGE_ROOT) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, modules: set[str], root: Path = PACKAGE_ROOT) -> set[str]:
    """The modules of `modules` that `path` imports anywhere, relative imports resolved; `from
    package import name` counts the submodule when `name` is one, else the package."""
    this = module_name(path, root)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found.add(submodule if submodule in modules else source)
    return found & modules


def import_graph(root: Path = PACKAGE_ROOT) -> nx.DiGraph:
    paths = sorted(root.rglob("*.py"))
    modules = {module_name(p, root) for p in paths}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for path in paths:
        importer = module_name(path, root)
        graph.add_edges_from(
            (importer, imported) for imported in imported_modules(path, modules, root)
        )
    return graph


def cycles(graph: nx.DiGraph) -> list[list[str]]:
    """Each group of modules that import one another, directly or through others."""
    groups = [sorted(group) for group in nx.strongly_connected_components(graph)]
    return sorted(g for g in groups if len(g) > 1 or graph.has_edge(g[0], g[0]))


def test_no_module_of_stakenet_is_part_of_an_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_no_module_of_the_benchmarks_is_part_of_an_import_cycle() -> None:
    assert cycles(import_graph(BENCHMARKS_ROOT)) == []


def test_a_cycle_through_a_function_level_or_relative_import_is_found(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def later():\n    from . import c\n")
    (package / "c.py").write_text("def later():\n    from .a import name\n")
    (package / "d.py").write_text("import pkg.a\n")
    assert cycles(import_graph(package)) == [["pkg.a", "pkg.b", "pkg.c"]]
