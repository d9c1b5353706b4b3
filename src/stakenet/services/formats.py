"""Other shapes of the interchange document: GraphML for graph tools, CSV for spreadsheets.

Both are written from the same document `stakenet export` produces, so every format carries the
same rows. GraphML holds stakeholders as nodes and ties as edges (interactions join any number of
people, which GraphML's edges cannot say; they stay in the JSON and CSV exports). CSV is one file
per section; list values (tags, participants) are joined with ";".
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from xml.etree import ElementTree

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
CSV_SECTIONS = ("stakeholders", "ties", "interactions")
LIST_SEPARATOR = ";"


def _columns(rows: Sequence[Mapping[str, Any]], first: Sequence[str]) -> list[str]:
    seen = dict.fromkeys(first)
    for row in rows:
        seen.update(dict.fromkeys(row))
    return (
        [column for column in seen if any(column in row for row in rows)] if rows else list(first)
    )


def _graphml_type(values: Iterable[Any]) -> str:
    kinds = {type(v) for v in values if v is not None}
    if kinds <= {bool}:
        return "boolean"
    if kinds <= {int}:
        return "long"
    if kinds <= {int, float}:
        return "double"
    return "string"


def _graphml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return str(value)


def to_graphml(document: Mapping[str, Any]) -> str:
    """The stakeholders and ties of an interchange document as a GraphML graph."""
    ElementTree.register_namespace("", GRAPHML_NS)
    root = ElementTree.Element(f"{{{GRAPHML_NS}}}graphml")
    stakeholders: list[Mapping[str, Any]] = document.get("stakeholders", [])
    ties: list[Mapping[str, Any]] = document.get("ties", [])
    keys: dict[tuple[str, str], str] = {}
    for domain, rows, skip in (
        ("node", stakeholders, {"key"}),
        ("edge", ties, {"source", "target"}),
    ):
        for column in _columns(rows, []):
            if column in skip:
                continue
            key_id = f"{domain[0]}_{column}"
            keys[(domain, column)] = key_id
            ElementTree.SubElement(
                root,
                f"{{{GRAPHML_NS}}}key",
                {
                    "id": key_id,
                    "for": domain,
                    "attr.name": column,
                    "attr.type": _graphml_type(row.get(column) for row in rows),
                },
            )
    graph = ElementTree.SubElement(
        root, f"{{{GRAPHML_NS}}}graph", {"id": "stakenet", "edgedefault": "directed"}
    )
    for row in stakeholders:
        node = ElementTree.SubElement(
            graph, f"{{{GRAPHML_NS}}}node", {"id": str(row.get("key") or row.get("id"))}
        )
        _data(node, "node", row, keys)
    for index, row in enumerate(ties):
        edge = ElementTree.SubElement(
            graph,
            f"{{{GRAPHML_NS}}}edge",
            {"id": str(row.get("key") or row.get("id") or f"e{index}"),
             "source": str(row["source"]), "target": str(row["target"])},
        )  # fmt: skip
        _data(edge, "edge", row, keys)
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _data(
    element: ElementTree.Element,
    domain: str,
    row: Mapping[str, Any],
    keys: Mapping[tuple[str, str], str],
) -> None:
    for column, value in row.items():
        key_id = keys.get((domain, column))
        if key_id is not None and value is not None:
            data = ElementTree.SubElement(element, f"{{{GRAPHML_NS}}}data", {"key": key_id})
            data.text = _graphml_text(value)


def to_csv(document: Mapping[str, Any]) -> dict[str, str]:
    """One CSV text per section, named `<section>.csv`."""
    files: dict[str, str] = {}
    for section in CSV_SECTIONS:
        rows: list[Mapping[str, Any]] = document.get(section, [])
        first = (
            ["id", "key", "kind", "name"] if section == "stakeholders" else ["id", "key", "kind"]
        )
        columns = _columns(rows, first)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: _csv_text(row.get(column)) for column in columns})
        files[f"{section}.csv"] = buffer.getvalue()
    return files


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(
            item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
            for item in value
        )
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
