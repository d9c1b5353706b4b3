"""The Cypher schema (constraints, indexes) shipped in `stakenet/store/graph_schema`."""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from typing import LiteralString


@dataclass(frozen=True, slots=True)
class SchemaScript:
    version: int
    name: str
    # Read from the package's own files, never from input: as trusted as the constants above.
    statements: tuple[LiteralString, ...]


def cypher_statements(script: str) -> tuple[LiteralString, ...]:
    """The statements of a schema script: `;`-terminated, `//` comment lines dropped."""
    code = "\n".join(line for line in script.splitlines() if not line.strip().startswith("//"))
    return tuple(" ".join(part.split()) for part in code.split(";") if part.strip())


def bundled_schema() -> list[SchemaScript]:
    """The Cypher schema shipped in `store/graph_schema`, named `NNNN_what.cypher`, in order."""
    folder = importlib.resources.files("stakenet.store").joinpath("graph_schema")
    scripts = [
        SchemaScript(
            int(entry.name.split("_", 1)[0]),
            entry.name,
            cypher_statements(entry.read_text("utf-8")),
        )
        for entry in folder.iterdir()
        if entry.name.endswith(".cypher")
    ]
    scripts.sort(key=lambda script: script.version)
    versions = [script.version for script in scripts]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"Two graph schema scripts share a version number: {versions}")
    return scripts
