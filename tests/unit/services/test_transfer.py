"""Bulk import on a real SQLite file: all or nothing, idempotent, and followed by every replica."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from stakenet.domain.errors import ImportRejected
from stakenet.services.network import NetworkService
from stakenet.services.transfer import import_document, import_into
from stakenet.store.sqlite import BULK_ROWS, SQLiteStore

PEOPLE = 4_000


def document(people: int = PEOPLE) -> dict[str, Any]:
    """`people` people in ten companies, a chain of acquaintance, and a meeting per pair."""
    stakeholders: list[dict[str, Any]] = [
        {"key": f"c{n}", "kind": "COMPANY", "name": f"Company {n}"} for n in range(10)
    ]
    stakeholders += [
        {"key": f"p{n}", "kind": "PERSON", "name": f"Person {n}", "tags": ["t"]}
        for n in range(people)
    ]
    ties: list[dict[str, Any]] = [
        {"source": f"p{n}", "target": f"c{n % 10}", "kind": "WORKS_FOR", "role": "CFO"}
        for n in range(people)
    ]
    ties += [
        {"source": f"p{n}", "target": f"p{n + 1}", "kind": "KNOWS", "strength": 0.5}
        for n in range(people - 1)
    ]
    ties += [
        {"source": f"p{n}", "target": f"p{(n * 7 + 3) % people}", "kind": "INFLUENCES"}
        for n in range(people)
        if (n * 7 + 3) % people != n
    ]
    interactions = [
        {
            "kind": "MEETING",
            "occurredAt": f"2026-01-{1 + n % 28:02d}T09:00:00Z",
            "participants": [f"p{n}", f"p{n + 1}"],
            "subject": f"Meeting {n}",
        }
        for n in range(people - 1)
    ]
    return {"stakeholders": stakeholders, "ties": ties, "interactions": interactions}


@pytest.fixture
async def stores(tmp_path: Path) -> AsyncIterator[tuple[NetworkService, NetworkService]]:
    """Two services on one database file, as two server processes would be."""
    path = str(tmp_path / "graph.db")
    first, second = NetworkService(SQLiteStore(path)), NetworkService(SQLiteStore(path))
    await first.start()
    await second.start()
    try:
        yield first, second
    finally:
        await first.stop()
        await second.stop()


def table_rows(path: str, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


async def test_the_importer_and_a_follower_see_every_entity_of_a_bulk_import(
    stores: tuple[NetworkService, NetworkService],
) -> None:
    importer, follower = stores
    doc = document()
    summary = await import_document(importer, doc)
    assert summary.ties_created == len(doc["ties"]) > BULK_ROWS
    await follower.sync()
    stored = await importer.store.load_all()
    for service in (importer, follower):
        graph = service.projection.graph
        assert service.projection.revision == stored.revision == summary.revision
        assert set(graph.nodes) == {s.id for s in stored.stakeholders}
        assert all(graph.nodes[s.id]["kind"] == s.kind for s in stored.stakeholders)
        assert sorted(key for _, _, key in graph.edges(keys=True)) == sorted(
            t.id for t in stored.ties
        )
        assert set(service.projection.interactions) == {i.id for i in stored.interactions}


async def test_a_bulk_import_into_an_empty_store_keeps_every_index(
    stores: tuple[NetworkService, NetworkService],
) -> None:
    importer, _ = stores
    path = importer.store.path  # type: ignore[attr-defined]
    indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    before = table_rows(path, indexes)
    await import_document(importer, document())
    assert table_rows(path, indexes) == before
    assert table_rows(path, "PRAGMA integrity_check") == [("ok",)]
    assert table_rows(path, "PRAGMA foreign_key_check") == []


async def test_reimporting_the_same_document_writes_nothing(
    stores: tuple[NetworkService, NetworkService],
) -> None:
    importer, _ = stores
    doc = document()
    first = await import_document(importer, doc)
    again = await import_into(importer.store, doc)
    total = len(doc["stakeholders"]) + len(doc["ties"]) + len(doc["interactions"])
    assert (again.revision, again.unchanged) == (first.revision, total)
    assert again.ties_created == again.ties_updated == 0
    doc["ties"][-1]["strength"] = 0.9
    changed = await import_into(importer.store, doc)
    assert (changed.ties_updated, changed.unchanged, changed.revision) == (
        1,
        total - 1,
        first.revision + 1,
    )


async def test_a_bad_row_in_the_last_section_writes_nothing_and_every_bad_row_is_named(
    stores: tuple[NetworkService, NetworkService],
) -> None:
    importer, _ = stores
    doc = document()
    doc["ties"][3]["target"] = "nobody"
    doc["interactions"][-1]["participants"] = ["p1", "ghost"]
    doc["interactions"][-2]["sentiment"] = 7
    with pytest.raises(ImportRejected) as rejected:
        await import_into(importer.store, doc)
    last = len(doc["interactions"]) - 1
    assert {issue.path for issue in rejected.value.issues} == {
        "ties[3].target",
        f"interactions[{last}].participants[1]",
        f"interactions[{last - 1}].sentiment",
    }
    counts = await importer.store.counts()
    assert (counts.stakeholders, counts.ties, counts.interactions, counts.revision) == (0, 0, 0, 0)
    assert await importer.store.changes_since(0) == []
