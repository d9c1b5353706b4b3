"""The layer rules of docs/architecture.md, checked on every module's imports, and the read
model's boundary, checked on every module's code: only `stakenet.analytics` holds the in-memory
graph. The analytics name no tie kind: what a kind means comes from the domain's `TIE_RULES`."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from stakenet.domain.model import TieKind

PACKAGE_ROOT = Path(__file__).parents[2] / "src" / "stakenet"
STDLIB = set(sys.stdlib_module_names) | {"__future__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


MODULES = {module_name(p): imports_of(p) for p in sorted(PACKAGE_ROOT.rglob("*.py"))}


def allowed(imported: str, prefixes: tuple[str, ...]) -> bool:
    top = imported.split(".")[0]
    if top in STDLIB and top != "sqlite3":
        return True
    return any(imported == p or imported.startswith(p + ".") for p in prefixes)


DOMAIN = "stakenet.domain"
PORT = "stakenet.store.port"
CODEC = "stakenet.store.codec"
SQLITE = "stakenet.store.sqlite"
NEO4J = "stakenet.store.neo4j"
RULES: dict[str, tuple[str, ...]] = {
    # layer prefix: what its modules may import besides the standard library
    DOMAIN: (DOMAIN,),
    PORT: (DOMAIN,),
    CODEC: (DOMAIN, PORT),
    # orjson encodes the change log: one C call for a bulk import's 100k rows.
    # Each adapter is a package: its modules may import each other, never the other adapter.
    SQLITE: (DOMAIN, PORT, CODEC, SQLITE, "sqlite3", "orjson"),
    NEO4J: (DOMAIN, PORT, CODEC, NEO4J, "neo4j"),
    "stakenet.analytics": (DOMAIN, "stakenet.analytics", "networkx", "numpy", "scipy"),
    "stakenet.services": (DOMAIN, PORT, "stakenet.analytics", "stakenet.services", "anyio"),
    # orjson encodes GraphQL responses (a map of several hundred stakeholders in 0.1 ms);
    # cross_web holds the HTTP exception strawberry's views raise.
    "stakenet.api": (
        DOMAIN,
        "stakenet.services",
        "stakenet.api",
        "strawberry",
        "cross_web",
        "graphql",
        "orjson",
    ),
    "stakenet.demo": (),
    # Synthetic networks of any size, for the benchmarks and the tests of large imports.
    "stakenet.demo.synthetic": ("numpy",),
    "stakenet.explorer": (),
}


def rule_for(module: str) -> tuple[str, ...] | None:
    matches = [prefix for prefix in RULES if module == prefix or module.startswith(prefix + ".")]
    return RULES[max(matches, key=len)] if matches else None


ENTRY_POINTS = {"stakenet", "stakenet.app", "stakenet.cli", "stakenet.bootstrap", "stakenet.store"}


def test_every_module_belongs_to_a_layer_or_is_an_entry_point() -> None:
    unassigned = sorted(m for m in MODULES if rule_for(m) is None and m not in ENTRY_POINTS)
    assert unassigned == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if rule_for(m) is not None))
def test_module_imports_only_what_its_layer_allows(module: str) -> None:
    prefixes = rule_for(module)
    assert prefixes is not None
    forbidden = sorted(i for i in MODULES[module] if not allowed(i, prefixes))
    assert forbidden == [], f"{module} imports {forbidden}"


def test_only_the_entry_points_import_the_composition_root() -> None:
    importers = sorted(m for m, found in MODULES.items() if "stakenet.bootstrap" in found)
    assert set(importers) <= {"stakenet.app", "stakenet.cli"}, importers


# What the composition root alone builds: the store adapters and the services around them.
ASSEMBLED = frozenset(
    {"SQLiteStore", "Neo4jStore", "Services", "NetworkService", "AnalyticsService", "AccessService"}
)


def assemblies_in(source: str) -> list[str]:
    """Every call in `source` that builds one of `ASSEMBLED`, by its name or as an attribute."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        called = node.func
        name = called.id if isinstance(called, ast.Name) else getattr(called, "attr", None)
        if name in ASSEMBLED:
            found.append(f"line {node.lineno}: {name}")
    return found


def test_only_the_composition_root_builds_the_store_and_the_services() -> None:
    builders = {
        module_name(path): found
        for path in sorted(PACKAGE_ROOT.rglob("*.py"))
        if (found := assemblies_in(path.read_text(encoding="utf-8")))
    }
    assert list(builders) == ["stakenet.bootstrap"], builders


def test_the_assembly_checker_catches_each_way_of_building() -> None:
    source = """
network = NetworkService(store)
access = services.AccessService(network.store)
"""
    assert assemblies_in(source) == ["line 2: NetworkService", "line 3: AccessService"]


def adapter_of(module: str) -> str | None:
    return next((a for a in (SQLITE, NEO4J) if module == a or module.startswith(a + ".")), None)


def test_only_the_composition_root_imports_an_adapter() -> None:
    importers = sorted(
        module
        for module, found in MODULES.items()
        if any(adapter_of(i) not in {None, adapter_of(module)} for i in found)
    )
    assert importers == ["stakenet.bootstrap"]


def test_every_layer_rule_names_modules_that_exist() -> None:
    # A rule for a package that was renamed would silently check nothing.
    prefixes = ("stakenet.domain", PORT, CODEC, SQLITE, NEO4J, "stakenet.analytics", "stakenet.api")
    for prefix in prefixes:
        assert any(m == prefix or m.startswith(prefix + ".") for m in MODULES), prefix


def test_the_checker_catches_a_forbidden_import() -> None:
    assert not allowed("networkx", RULES["stakenet.api"])
    assert not allowed("stakenet.store.sqlite", RULES["stakenet.api"])
    assert not allowed("stakenet.store.sqlite.store", RULES[NEO4J])
    assert not allowed("stakenet.store.neo4j.cypher", RULES[SQLITE])
    assert allowed("stakenet.store.neo4j.cypher", RULES[NEO4J])
    assert not allowed("sqlite3", RULES["stakenet.services"])
    assert allowed("json", RULES["stakenet.domain"])


# The in-memory graph, its lock and NetworkX belong to `stakenet.analytics` (`NetworkView`):
# no other module reaches them, by import or through an attribute of an object it was handed.
GRAPH_ATTRIBUTES = frozenset(
    {"graph", "lock", "projection", "listeners", "_succ", "_pred", "_adj", "_node"}
)
GRAPH_NAMES = frozenset({"nx", "networkx"})
READ_MODEL = "stakenet.analytics"


def graph_reaches(source: str) -> list[str]:
    """Every attribute access to `GRAPH_ATTRIBUTES` and use of `GRAPH_NAMES` in `source`."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in GRAPH_ATTRIBUTES:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in GRAPH_NAMES:
            found.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                modules.append(node.module)
            found.extend(
                f"line {node.lineno}: import {name}"
                for name in modules
                if name.split(".")[0] in GRAPH_NAMES
            )
    return found


OUTSIDE_THE_READ_MODEL = sorted(
    (module_name(p), p)
    for p in PACKAGE_ROOT.rglob("*.py")
    if not module_name(p).startswith(READ_MODEL)
)


@pytest.mark.parametrize(("module", "path"), OUTSIDE_THE_READ_MODEL, ids=lambda v: str(v))
def test_only_the_read_model_reaches_the_graph(module: str, path: Path) -> None:
    reaches = graph_reaches(path.read_text(encoding="utf-8"))
    assert reaches == [], f"{module} reaches the in-memory graph: {reaches}"


def test_the_graph_checker_catches_each_way_in() -> None:
    leaky = """
import networkx
from networkx import MultiDiGraph
def answer(services):
    with services.network.projection.lock:
        kind = services.network.view.graph.nodes["p1"]["kind"]
    services.network.listeners.append(print)
    return nx.pagerank, G._succ
"""
    reaches = [reach.split(": ")[1] for reach in graph_reaches(leaky)]
    assert sorted(reaches) == sorted(
        [
            "import networkx",
            "import networkx",
            ".projection",
            ".lock",
            ".graph",
            ".listeners",
            "nx",
            "._succ",
        ]
    )
    assert graph_reaches("services.network.revision\nview.relationship_map('p1')") == []


TIE_KIND_NAMES = frozenset(kind.value for kind in TieKind)


def tie_kinds_named(source: str) -> list[str]:
    """Every tie kind `source` spells out, as a string or as a `TieKind` member."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and node.value in TIE_KIND_NAMES:
            found.append(f"line {node.lineno}: {node.value!r}")
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == TieKind.__name__
        ):
            found.append(f"line {node.lineno}: {TieKind.__name__}.{node.attr}")
    return found


ANALYTICS_MODULES = sorted((module_name(p), p) for p in (PACKAGE_ROOT / "analytics").rglob("*.py"))


@pytest.mark.parametrize(("module", "path"), ANALYTICS_MODULES, ids=lambda v: str(v))
def test_the_analytics_name_no_tie_kind(module: str, path: Path) -> None:
    named = tie_kinds_named(path.read_text(encoding="utf-8"))
    assert named == [], f"{module} names tie kinds instead of reading TIE_RULES: {named}"


def test_the_tie_kind_checker_catches_each_spelling() -> None:
    source = """
EMPLOYMENT = frozenset({"WORKS_FOR"})
if kind == TieKind.KNOWS or kind in ("ADVISES",):
    pass
\"\"\"A docstring may mention WORKS_FOR ties.\"\"\"
label = "COLLEAGUE"
"""
    assert [n.split(": ")[1] for n in tie_kinds_named(source)] == [
        "'WORKS_FOR'",
        "TieKind.KNOWS",
        "'ADVISES'",
    ]
