"""Bulk import on a real SQLite file: all or nothing, idempotent, and followed by every replica."""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from stakenet.domain.errors import ChangeLogPruned, ImportRejected, Issue
from stakenet.domain.model import GraphData
from stakenet.services import transfer
from stakenet.services.network import NetworkService
from stakenet.services.transfer import import_document, import_into, import_stream
from stakenet.store.port import WriteBatch
from stakenet.store.sqlite import BULK_ROWS, SQLiteStore

# These tests call the service layer directly, as the CLI does.
pytestmark = pytest.mark.usefixtures("local_operator")

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


def table_rows(path: str, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


async def test_the_importer_and_a_follower_see_every_entity_of_a_bulk_import(
    replicas: tuple[NetworkService, NetworkService],
    follower_notices: list[tuple[int, set[str]]],
) -> None:
    importer, follower = replicas
    doc = document()
    summary = await import_document(importer, doc)
    assert summary.ties_created == len(doc["ties"]) > BULK_ROWS
    # Into an empty network the log keeps no copy of the rows: both read the network instead.
    with pytest.raises(ChangeLogPruned):
        await importer.store.changes_since(0)
    await follower.sync()
    stored = await importer.store.load_all()
    for service in (importer, follower):
        view = service.view
        assert view.revision == stored.revision == summary.revision
        assert view.stakeholder_ids() == {s.id for s in stored.stakeholders}
        assert all(view.stakeholder(s.id).kind == s.kind for s in stored.stakeholders)
        assert view.tie_ids() == {t.id for t in stored.ties}
        assert view.interaction_ids() == {i.id for i in stored.interactions}
    assert follower_notices == [(summary.revision, {s.id for s in stored.stakeholders})]

    # A later import into the network is in the log, and followed change by change.
    [p0] = [row for row in doc["stakeholders"] if row["key"] == "p0"]
    p0["name"] = "Person Zero, renamed"
    again = await import_document(importer, doc)
    assert (again.stakeholders_updated, again.revision) == (1, summary.revision + 1)
    await follower.sync()
    [renamed] = [s for s in stored.stakeholders if s.key == "p0"]
    assert follower_notices[1:] == [(again.revision, {renamed.id})]
    assert follower.view.stakeholder(renamed.id).name == "Person Zero, renamed"


async def test_a_bulk_import_into_an_empty_store_keeps_every_index(
    replicas: tuple[NetworkService, NetworkService],
) -> None:
    importer, _ = replicas
    path = importer.store.path  # type: ignore[attr-defined]
    indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    before = table_rows(path, indexes)
    await import_document(importer, document())
    assert table_rows(path, indexes) == before
    assert table_rows(path, "PRAGMA integrity_check") == [("ok",)]
    assert table_rows(path, "PRAGMA foreign_key_check") == []


async def test_reimporting_the_same_document_writes_nothing(
    replicas: tuple[NetworkService, NetworkService],
) -> None:
    importer, _ = replicas
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
    replicas: tuple[NetworkService, NetworkService],
) -> None:
    importer, _ = replicas
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


# --- streamed imports -----------------------------------------------------------------------


def written_file(tmp_path: Path, members: dict[str, Any]) -> Path:
    """The document as a file, its members in the order given."""
    path = tmp_path / "document.json"
    path.write_text(json.dumps(members), encoding="utf-8")
    return path


def graph_by_keys(data: GraphData) -> tuple[set[Any], set[Any], set[Any]]:
    """The stored graph in terms of the document's keys, free of generated ids."""
    key_of = {s.id: s.key for s in data.stakeholders}
    return (
        {(s.key, s.kind, s.name, s.tags) for s in data.stakeholders},
        {(key_of[t.source_id], key_of[t.target_id], t.kind, t.role, t.strength) for t in data.ties},
        {
            (i.key, i.subject, tuple(key_of[p.stakeholder_id] for p in i.participants))
            for i in data.interactions
        },
    )


async def test_a_streamed_import_stores_what_a_decoded_one_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "CHUNK_ROWS", 700)
    doc = document(1_000)
    decoded, streamed = SQLiteStore(str(tmp_path / "a.db")), SQLiteStore(str(tmp_path / "b.db"))
    for store in (decoded, streamed):
        await store.open()
    try:
        by_decoding = await import_into(decoded, doc)
        with written_file(tmp_path, doc).open("rb") as source:
            by_streaming = await import_stream(streamed, source)
        assert by_streaming == by_decoding
        assert by_streaming.ties_created == len(doc["ties"])
        assert graph_by_keys(await streamed.load_all()) == graph_by_keys(await decoded.load_all())
    finally:
        for store in (decoded, streamed):
            await store.close()


async def test_chunks_written_before_a_bad_row_are_rolled_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "CHUNK_ROWS", 500)
    store = SQLiteStore(str(tmp_path / "graph.db"))
    await store.open()
    written: list[int] = []
    bulk_write = store.bulk_write

    @contextlib.asynccontextmanager
    async def observed_bulk_write() -> AsyncIterator[Any]:
        async with bulk_write() as bulk:
            original = bulk.write

            async def write(batch: WriteBatch) -> None:
                written.append(len(batch))
                await original(batch)

            bulk.write = write  # type: ignore[method-assign]
            yield bulk

    monkeypatch.setattr(store, "bulk_write", observed_bulk_write)
    doc = document(1_000)
    doc["interactions"][-1]["occurredAt"] = "yesterday"
    try:
        with written_file(tmp_path, doc).open("rb") as source, pytest.raises(ImportRejected) as no:
            await import_stream(store, source)
        assert [issue.path for issue in no.value.issues] == [
            f"interactions[{len(doc['interactions']) - 1}].occurredAt"
        ]
        assert sum(written) > 3_000  # the chunks before the bad one were written
        counts = await store.counts()
        assert (counts.stakeholders, counts.ties, counts.interactions, counts.revision) == (
            0,
            0,
            0,
            0,
        )
    finally:
        await store.close()


# About 37,500 rows: the import's chunks go to the store's writer process, which writes a
# first import without SQLite's own foreign key checks.
WRITER_PEOPLE = 7_500

IMPORTED_TABLES = (
    "stakeholders",
    "stakeholder_tags",
    "ties",
    "interactions",
    "interaction_participants",
    "audit_log",
)


def rows_per_table(path: Path) -> list[int]:
    return [
        table_rows(str(path), f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608 (ours)
        for table in IMPORTED_TABLES
    ]


async def rejected_stream(path: Path, doc: dict[str, Any]) -> list[tuple[str, str]]:
    """The issues that refuse `doc`, streamed into a new store at `path` (whose chunks reach
    its writer process)."""
    store = SQLiteStore(str(path))
    await store.open()
    try:
        with (
            written_file(path.parent, doc).open("rb") as source,
            pytest.raises(ImportRejected) as rejected,
        ):
            await import_stream(store, source)
        assert await store.revision() == 0
    finally:
        await store.close()
    return [(issue.path, issue.code) for issue in rejected.value.issues]


async def test_a_bad_row_in_the_last_chunk_of_a_large_import_is_named_and_nothing_written(
    tmp_path: Path,
) -> None:
    doc = document(WRITER_PEOPLE)
    last = len(doc["interactions"]) - 1
    doc["interactions"][last]["participants"] = ["p1", "ghost"]
    path = tmp_path / "graph.db"
    assert await rejected_stream(path, doc) == [
        (f"interactions[{last}].participants[1]", "UNKNOWN_REFERENCE")
    ]
    assert rows_per_table(path) == [0, 0, 0, 0, 0, 0]
    # Nothing is left for the next import, which writes every row and nothing dangling.
    doc["interactions"][last]["participants"] = ["p1", "p2"]
    store = SQLiteStore(str(path))
    await store.open()
    try:
        with written_file(tmp_path, doc).open("rb") as source:
            summary = await import_stream(store, source)
    finally:
        await store.close()
    assert (summary.ties_created, summary.interactions_created) == (
        len(doc["ties"]),
        len(doc["interactions"]),
    )
    assert rows_per_table(path) == [
        WRITER_PEOPLE + 10,
        WRITER_PEOPLE,
        len(doc["ties"]),
        len(doc["interactions"]),
        2 * len(doc["interactions"]),
        1,
    ]
    assert table_rows(str(path), "PRAGMA foreign_key_check") == []


async def test_a_key_given_twice_in_different_chunks_of_a_large_import_writes_nothing(
    tmp_path: Path,
) -> None:
    doc = document(WRITER_PEOPLE)
    later = len(doc["ties"]) - 1  # in the third chunk of ties, the first holding ties[3]
    assert later >= 2 * transfer.CHUNK_ROWS
    doc["ties"][3]["key"] = doc["ties"][later]["key"] = "shared"
    path = tmp_path / "graph.db"
    assert await rejected_stream(path, doc) == [(f"ties[{later}].key", "DUPLICATE_KEY")]
    assert rows_per_table(path) == [0, 0, 0, 0, 0, 0]


async def test_ties_before_the_stakeholders_wait_for_them(tmp_path: Path) -> None:
    doc = document(50)
    reordered = {"ties": doc["ties"], "interactions": doc["interactions"], "format": "stakenet"}
    reordered["stakeholders"] = doc["stakeholders"]
    store = SQLiteStore(str(tmp_path / "graph.db"))
    await store.open()
    try:
        with written_file(tmp_path, reordered).open("rb") as source:
            summary = await import_stream(store, source)
        assert (summary.stakeholders_created, summary.ties_created) == (60, len(doc["ties"]))
        assert summary.interactions_created == len(doc["interactions"])
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"stakeholders": [{"key": "a", "kind": "PERSON", "name": "A"},\n  {"key": }]}',
            [("", "Expecting value: line 2 column 11 (char 73)")],
        ),
        (
            '{"stakeholders": [], "ties": [], "ties": [], "people": []}',
            [
                ("ties", "The section 'ties' appears twice."),
                ("people", "Unknown section 'people'."),
            ],
        ),
        (
            '["stakeholders"]',
            [("", "The document must be a JSON object: line 1 column 1 (char 0)")],
        ),
        ('{"ties": {"source": "a"}}', [("ties", "'ties' must be a list.")]),
    ],
)
async def test_a_malformed_document_is_rejected_and_nothing_is_written(
    tmp_path: Path, text: str, expected: list[tuple[str, str]]
) -> None:
    store = SQLiteStore(str(tmp_path / "graph.db"))
    await store.open()
    try:
        with pytest.raises(ImportRejected) as rejected:
            await import_stream(store, io.BytesIO(text.encode()))
        assert [(issue.path, issue.message) for issue in rejected.value.issues] == expected
        assert await store.revision() == 0
    finally:
        await store.close()


async def issues_rejecting(document: dict[str, Any]) -> list[Issue]:
    """The issues an empty store's import refuses `document` for, having checked it wrote nothing."""
    store = SQLiteStore(":memory:")
    await store.open()
    try:
        with pytest.raises(ImportRejected) as rejected:
            await import_into(store, document)
        assert await store.revision() == 0
        return rejected.value.issues
    finally:
        await store.close()


async def test_a_document_reports_every_bad_row_and_duplicate_keys() -> None:
    store = SQLiteStore(":memory:")
    await store.open()
    document = {
        "stakeholders": [
            {"key": "a", "kind": "PERSON", "name": "A"},
            {"key": "a", "kind": "PERSON", "name": "A again"},
            {"key": "b", "kind": "PERSON"},
        ],
        "ties": [{"source": "a", "target": "b", "kind": "LIKES"}],
    }
    try:
        with pytest.raises(ImportRejected) as rejected:
            await import_into(store, document)
        assert [issue.path for issue in rejected.value.issues] == [
            "stakeholders[1].key",
            "stakeholders[2].name",
            "ties[0].kind",
        ]
        assert await store.revision() == 0
    finally:
        await store.close()


async def test_a_row_refused_for_a_value_also_names_its_unknown_stakeholders() -> None:
    # One report names every problem: a row with a bad value and a reference to nobody used to
    # name only the value, and the reference only on the next try.
    issues = await issues_rejecting(
        {
            "stakeholders": [
                {"key": "a", "kind": "PERSON", "name": "A"},
                {"key": "o", "kind": "COMPANY", "name": "O"},
                {"key": "bad", "kind": "PERSON"},
            ],
            "ties": [
                {"source": "a", "target": "nobody", "kind": "KNOWS", "strength": 7},
                {"source": " ghost ", "target": "o", "kind": "WORKS_FOR", "since": "soon"},
                {"source": "a", "target": "bad", "kind": "KNOWS", "strength": 2},
            ],
            "interactions": [
                {"kind": "MEETING", "occurredAt": "not a date", "participants": ["a", "zz"]},
                {
                    "kind": "NAP",
                    "occurredAt": "2026-01-01T09:00:00Z",
                    "participants": [{"key": "yy", "actingAs": "host"}, "o", "bad"],
                },
            ],
        }
    )
    assert [(issue.path, issue.code) for issue in issues[1:]] == [
        ("ties[0].strength", "OUT_OF_RANGE"),
        ("ties[0].target", "UNKNOWN_REFERENCE"),
        ("ties[1].since", "BAD_DATE"),
        ("ties[1].source", "UNKNOWN_REFERENCE"),
        ("ties[2].strength", "OUT_OF_RANGE"),
        ("interactions[0].occurredAt", "BAD_DATE"),
        ("interactions[0].participants[1]", "UNKNOWN_REFERENCE"),
        ("interactions[1].kind", "UNKNOWN_KIND"),
        ("interactions[1].participants[0]", "UNKNOWN_REFERENCE"),
    ]
    assert (issues[0].path, issues[0].code) == ("stakeholders[2].name", "REQUIRED")
    unknown = [issue.message for issue in issues if issue.code == "UNKNOWN_REFERENCE"]
    assert unknown[1] == "No stakeholder with key 'ghost' in the document or the store."
    assert "'yy'" in unknown[3]


async def test_values_beyond_what_the_api_can_answer_with_are_named_rows_not_a_crash() -> None:
    # A population past the API's 32-bit Int would be stored and then fail every read of it;
    # a moment whose UTC instant leaves the years 1 to 9999 raised OverflowError mid-import.
    issues = await issues_rejecting(
        {
            "stakeholders": [
                {"key": "m", "kind": "MUNICIPALITY", "name": "M", "population": 2**31 - 1},
                {"key": "big", "kind": "MUNICIPALITY", "name": "B", "population": 3_000_000_000},
                {"key": "p", "kind": "PERSON", "name": "P"},
            ],
            "interactions": [
                {
                    "kind": "MEETING",
                    "occurredAt": "9999-12-31T23:59:59-05:00",
                    "participants": ["p"],
                },
                {
                    "kind": "MEETING",
                    "occurredAt": "0001-01-01T00:00:00+01:00",
                    "participants": ["m"],
                },
                {"kind": "CALL", "occurredAt": "9999-12-31T23:59:59+01:00", "participants": ["p"]},
            ],
        }
    )
    assert [(issue.path, issue.code) for issue in issues] == [
        ("stakeholders[1].population", "OUT_OF_RANGE"),
        ("interactions[0].occurredAt", "BAD_DATE"),
        ("interactions[1].occurredAt", "BAD_DATE"),
    ]
    assert "outside the years 1 to 9999" in issues[1].message


async def test_two_rows_of_one_interaction_without_key_or_id_are_named_not_a_conflict() -> None:
    meeting = {"kind": "MEETING", "occurredAt": "2026-01-05T09:00:00Z", "participants": ["p"]}
    issues = await issues_rejecting(
        {
            "stakeholders": [{"key": "p", "kind": "PERSON", "name": "P"}],
            "interactions": [meeting, {**meeting, "subject": "Other"}, dict(meeting)],
        }
    )
    ((path, code, message),) = [(i.path, i.code, i.message) for i in issues]
    assert (path, code) == ("interactions[2]", "DUPLICATE")
    assert "as interactions[0]" in message


async def test_a_symmetric_tie_given_both_ways_round_is_a_duplicate_and_others_are_not() -> None:
    store = SQLiteStore(":memory:")
    await store.open()
    people = [{"key": k, "kind": "PERSON", "name": k.upper()} for k in ("a", "b", "c")]
    ties = [
        {"source": "a", "target": "b", "kind": "KNOWS"},
        {"source": "b", "target": "a", "kind": "REPORTS_TO"},
        {"source": "a", "target": "b", "kind": "REPORTS_TO"},
        {"source": "b", "target": "a", "kind": "KNOWS"},
        {"source": "c", "target": "b", "kind": "KNOWS"},
        {"source": "b", "target": "c", "kind": "KNOWS", "key": "kept"},
        {"source": "a", "target": "b", "kind": "REPORTS_TO"},
    ]
    try:
        with pytest.raises(ImportRejected) as rejected:
            await import_into(store, {"stakeholders": people, "ties": ties})
        assert [(i.path, i.message) for i in rejected.value.issues] == [
            (
                "ties[3]",
                "Duplicate KNOWS tie from 'b' to 'a' (first at ties[0]); give each a 'key' to "
                "keep both.",
            ),
            (
                "ties[6]",
                "Duplicate REPORTS_TO tie from 'a' to 'b' (first at ties[2]); give each a 'key' "
                "to keep both.",
            ),
        ]
    finally:
        await store.close()


async def test_a_reimport_matches_stored_ties_of_stakeholders_it_only_refers_to() -> None:
    store = SQLiteStore(":memory:")
    await store.open()
    people = [{"key": k, "kind": "PERSON", "name": k.upper()} for k in ("a", "b", "c")]
    first = {
        "stakeholders": people,
        "ties": [
            {"source": "a", "target": "b", "kind": "KNOWS", "strength": 0.5},
            {"source": "b", "target": "c", "kind": "REPORTS_TO"},
        ],
    }
    # The stakeholders are only referred to: the ties match the stored ones, a symmetric one
    # either way round (then it is rewritten the way round the document gives it).
    second = {
        "ties": [
            {"source": "b", "target": "a", "kind": "KNOWS", "strength": 0.5},
            {"source": "b", "target": "c", "kind": "REPORTS_TO", "strength": 0.9},
            {"source": "c", "target": "b", "kind": "REPORTS_TO"},
        ]
    }
    try:
        await import_into(store, first)
        summary = await import_into(store, second)
        assert (summary.ties_created, summary.ties_updated, summary.unchanged) == (1, 2, 0)
        again = await import_into(store, second)
        assert (again.ties_created, again.ties_updated, again.unchanged) == (0, 0, 3)
        data = await store.load_all()
        key_of = {s.id: s.key for s in data.stakeholders}
        ties = sorted(data.ties, key=lambda t: (t.kind, t.strength or 0))
        assert [(t.kind.value, key_of[t.source_id], key_of[t.target_id]) for t in ties] == [
            ("KNOWS", "b", "a"),
            ("REPORTS_TO", "c", "b"),
            ("REPORTS_TO", "b", "c"),
        ]
    finally:
        await store.close()
