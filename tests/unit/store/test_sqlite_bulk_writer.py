"""The SQLite bulk write's writer process and the form batches take to reach it."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from stakenet.domain.access import AuditEntry
from stakenet.domain.errors import Conflict, ImportRejected, Issue, NotFound, StoreUnavailable
from stakenet.domain.model import (
    DecisionRole,
    Interaction,
    InteractionKind,
    Participant,
    Seniority,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)
from stakenet.store.port import BulkWrite, WriteBatch
from stakenet.store.sqlite import SQLiteStore
from stakenet.store.sqlite.batch_pickle import dump_batch, load_batch
from stakenet.store.sqlite.bulk import BATCHES_IN_FLIGHT, DeferredBulkWrite, FileBulkWrite
from stakenet.store.sqlite.bulk_changes import BulkChanges, begin_bulk_write
from stakenet.store.sqlite.connection import connect
from stakenet.store.sqlite.rows import utc_text
from stakenet.store.sqlite.writer_protocol import error_answer, rebuilt_error

MOMENT = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)

PERSON = Stakeholder(
    "p1",
    StakeholderKind.PERSON,
    "Søren Ågård",
    key="crm-1",
    internal=True,
    tags=("board", "vip"),
    notes="Met twice",
    seniority=Seniority.C_LEVEL,
    created_at=MOMENT,
)
COMPANY = Stakeholder("c1", StakeholderKind.COMPANY, "Acme", key="acme")
TIE = Tie(
    "t1",
    TieKind.WORKS_FOR,
    "p1",
    "c1",
    strength=0.7,
    role="CEO",
    since=date(2020, 1, 2),
    decision_role=DecisionRole.DECISION_MAKER,
)
INTERACTION = Interaction(
    "i1",
    InteractionKind.MEETING,
    MOMENT,
    (Participant("p1"), Participant("c1", "host")),
    subject="Budget",
    sentiment=0.5,
)


def writer_of(bulk: BulkWrite) -> subprocess.Popen[bytes]:
    """The writer process a bulk write has handed its batches to."""
    assert isinstance(bulk, DeferredBulkWrite)
    assert isinstance(bulk._writer, FileBulkWrite)
    return bulk._writer._require_writer()._process


def test_a_batch_travels_as_the_rows_it_writes_and_names_no_class() -> None:
    batch = WriteBatch(
        upsert_stakeholders=[PERSON, COMPANY],
        upsert_ties=[replace(TIE, role="Chief"), TIE],
        upsert_interactions=[INTERACTION],
        delete_stakeholders=["gone"],
        delete_ties=["t0"],
        delete_interactions=["i0"],
        audit=AuditEntry(at=MOMENT, actor="ops", operation="importGraph", entity_ids=("p1",)),
        report_changes=False,
    )
    payload = dump_batch(batch)
    # Text, numbers and None only: the writer rebuilds no entity, enum or date from it.
    assert b"stakenet" not in payload
    assert b"datetime" not in payload
    loaded = load_batch(payload)
    now = loaded.now
    # The second version of the tie, the last, is the one written.
    assert [list(row) for row in loaded.ties] == [
        [
            "t1", "WORKS_FOR", "p1", "c1", None, 0.7, "CEO", "2020-01-02", None, None, None,
            None, "DECISION_MAKER", None, None, None, now, now,
        ]
    ]  # fmt: skip
    person, company = loaded.stakeholders
    created = utc_text(MOMENT)
    assert person[0:4] == ["p1", "PERSON", "Søren Ågård", "crm-1"]
    assert person[4:] == [
        1, '["board","vip"]', "Met twice", created, now, '{"seniority":"C_LEVEL"}', "soren agard"
    ]  # fmt: skip
    assert company[-4:] == [now, now, "{}", "acme"]
    assert loaded.stakeholder_tags == [("p1", "board"), ("p1", "vip")]
    assert loaded.interactions == [
        ["i1", "MEETING", created, None, 0.5, "Budget", None, None, None, now, now]
    ]
    assert loaded.participants == [("i1", "p1", 0, None), ("i1", "c1", 1, "host")]
    assert (loaded.delete_stakeholders, loaded.delete_ties, loaded.delete_interactions) == (
        ["gone"],
        ["t0"],
        ["i0"],
    )


async def test_a_bulk_write_keeps_the_creation_time_of_a_row_it_rewrites(
    tmp_path: Path,
) -> None:
    store = SQLiteStore(str(tmp_path / "graph.db"), bulk_writer_rows=0)
    await store.open()
    try:
        await store.apply(WriteBatch(upsert_stakeholders=[PERSON, COMPANY], upsert_ties=[TIE]))
        [before] = await store.get_ties(["t1"])
        assert before is not None and before.created_at is not None
        given = replace(TIE, role="Chief", created_at=MOMENT)
        async with store.bulk_write() as bulk:
            await bulk.write(WriteBatch(upsert_ties=[given], report_changes=False))
            revision = await bulk.commit()
        [after] = await store.get_ties(["t1"])
        # A follower reads the tie from the change log: its stored creation time, too.
        [change] = await store.changes_since(revision - 1)
    finally:
        await store.close()
    assert after is not None
    assert (after.role, after.created_at) == ("Chief", before.created_at)
    assert after.updated_at is not None and after.updated_at >= before.created_at
    assert change.entity == after


@pytest.mark.parametrize(
    "error",
    [
        NotFound("Tie 't1' refers to stakeholder 'x', which does not exist."),
        Conflict("Key 'anna' is already used by another stakeholder."),
        StoreUnavailable("The database is locked by another writer; retry later."),
        ImportRejected([Issue("ties[3].kind", "Unknown kind.", "INVALID"), Issue("a", "b", "C")]),
    ],
)
def test_an_error_of_the_writer_reaches_the_caller_as_it_was(error: Exception) -> None:
    _, name, message, issues = error_answer(error)
    rebuilt = rebuilt_error(name, message, issues)
    assert type(rebuilt) is type(error)
    assert str(rebuilt) == str(error)
    assert getattr(rebuilt, "issues", None) == getattr(error, "issues", None)


def test_a_failure_that_is_not_a_store_error_reaches_the_caller_as_store_unavailable() -> None:
    _, name, message, issues = error_answer(ZeroDivisionError("a bug"))
    rebuilt = rebuilt_error(name, message, issues)
    assert isinstance(rebuilt, StoreUnavailable)
    assert "a bug" not in str(rebuilt)


@pytest.fixture
async def file_store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    """A store whose bulk writes go to a writer process from their first batch."""
    store = SQLiteStore(str(tmp_path / "graph.db"), bulk_writer_rows=0)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def test_a_bulk_write_is_held_by_a_process_that_stops_with_it(
    file_store: SQLiteStore,
) -> None:
    async with file_store.bulk_write() as bulk:
        await bulk.write(WriteBatch(upsert_stakeholders=[PERSON, COMPANY]))
        writer = writer_of(bulk)
        assert writer.poll() is None
        await bulk.write(WriteBatch(upsert_ties=[TIE], upsert_interactions=[INTERACTION]))
        assert await bulk.commit() == 1
    assert writer.returncode == 0
    [stored] = await file_store.get_interactions(["i1"])
    assert stored is not None
    assert stored.participants == INTERACTION.participants
    [person] = await file_store.get_stakeholders(["p1"])
    assert person is not None
    assert replace(person, updated_at=None) == PERSON


async def test_a_writer_that_dies_fails_the_bulk_write_and_leaves_nothing(
    file_store: SQLiteStore,
) -> None:
    with pytest.raises(StoreUnavailable, match="ended before it answered"):
        async with file_store.bulk_write() as bulk:
            await bulk.write(WriteBatch(upsert_stakeholders=[PERSON, COMPANY]))
            await bulk.write(WriteBatch(upsert_ties=[TIE]))
            writer_of(bulk).kill()
            await bulk.write(WriteBatch(upsert_interactions=[INTERACTION]))
            await bulk.commit()
    assert await file_store.revision() == 0
    assert await file_store.get_stakeholders(["p1", "c1"]) == [None, None]
    # The lock is free again: the next write goes through at once.
    result = await asyncio.wait_for(
        file_store.apply(WriteBatch(upsert_stakeholders=[COMPANY])), timeout=5
    )
    assert result.revision == 1


async def test_batches_go_ahead_of_the_writer_and_one_that_fails_among_them_leaves_nothing(
    file_store: SQLiteStore,
) -> None:
    companies = [
        replace(COMPANY, id=f"c{n}", key=f"acme-{n}") for n in range(3 * BATCHES_IN_FLIGHT)
    ]
    with pytest.raises(NotFound, match="nobody"):
        async with file_store.bulk_write() as bulk:
            await bulk.write(WriteBatch(upsert_stakeholders=[PERSON]))
            writer = writer_of(bulk)
            # A tie to no one: the writer fails on it, while the batches after it are queued.
            await bulk.write(WriteBatch(upsert_ties=[replace(TIE, target_id="nobody")]))
            in_flight = []
            for company in companies:
                await bulk.write(WriteBatch(upsert_stakeholders=[company]))
                assert isinstance(bulk, DeferredBulkWrite) and bulk._writer is not None
                in_flight.append(len(bulk._writer._pending))
            await bulk.commit()
    # The caller went on while the writer worked, never more than the bound ahead of it.
    assert max(in_flight) == BATCHES_IN_FLIGHT
    assert writer.returncode == 0
    assert await file_store.revision() == 0
    assert await file_store.get_stakeholders(["p1", "c0"]) == [None, None]
    result = await asyncio.wait_for(
        file_store.apply(WriteBatch(upsert_stakeholders=[COMPANY])), timeout=5
    )
    assert result.revision == 1


async def test_a_bulk_write_abandoned_mid_way_stops_its_writer(file_store: SQLiteStore) -> None:
    with pytest.raises(KeyError):
        async with file_store.bulk_write() as bulk:
            await bulk.write(WriteBatch(upsert_stakeholders=[PERSON]))
            writer = writer_of(bulk)
            raise KeyError("the caller failed")
    assert writer.returncode == 0
    assert await file_store.get_stakeholders(["p1"]) == [None]


def test_the_package_exports_resolve_when_asked_for() -> None:
    import stakenet.store.sqlite as package

    assert sorted(package.__all__) == sorted(package._EXPORTED_FROM)
    for name in package.__all__:
        assert getattr(package, name) is not None
    with pytest.raises(AttributeError):
        _ = package.no_such_name


def test_the_writer_starts_without_the_store_its_threads_or_migrations() -> None:
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, stakenet.store.sqlite.writer_client, stakenet.store.sqlite.writer_server, stakenet.store.sqlite.bulk; "
            "print(sorted(m for m in ('stakenet.store.sqlite.store', "
            "'stakenet.store.sqlite.schema') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"


def index_names(connection: sqlite3.Connection, table: str) -> set[str]:
    listed = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql NOT NULL"
    return {name for (name,) in connection.execute(listed, (table,))}


async def test_a_load_gets_the_indexes_of_a_table_back_once_it_moves_on_from_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "graph.db"
    store = SQLiteStore(str(path))
    await store.open()
    await store.close()
    connection = connect(str(path))
    try:
        indexes = {table: index_names(connection, table) for table in ("stakeholders", "ties")}
        assert all(indexes.values())
        connection.execute("BEGIN IMMEDIATE")
        changes = BulkChanges()
        changes.write(connection, WriteBatch(upsert_stakeholders=[PERSON]))
        # Loading into empty tables: their indexes wait for the rows, but for the keys',
        # which each batch's keys are looked up in.
        assert index_names(connection, "stakeholders") == {"stakeholders_key"}
        assert index_names(connection, "ties") == {"ties_key"}
        changes.write(connection, WriteBatch(upsert_stakeholders=[COMPANY]))
        assert index_names(connection, "stakeholders") == {"stakeholders_key"}
        changes.write(connection, WriteBatch(upsert_ties=[TIE]))
        # The stakeholders are done with: theirs are back; the ties' still wait.
        assert index_names(connection, "stakeholders") == indexes["stakeholders"]
        assert index_names(connection, "ties") == {"ties_key"}
        # Written again, the stakeholders' indexes are kept up to date as the rows go in.
        changes.write(connection, WriteBatch(upsert_stakeholders=[replace(COMPANY, name="Acme 2")]))
        assert index_names(connection, "ties") == indexes["ties"]
        assert changes.finish(connection, None) == 1
        connection.execute("COMMIT")
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        found = connection.execute(
            "SELECT id FROM stakeholders INDEXED BY stakeholders_by_name WHERE name_folded = ?",
            ("acme 2",),
        ).fetchall()
        assert found == [("c1",)]
    finally:
        connection.close()


async def test_a_small_bulk_write_starts_no_writer_and_a_large_one_hands_over(
    tmp_path: Path,
) -> None:
    store = SQLiteStore(str(tmp_path / "graph.db"), bulk_writer_rows=3)
    await store.open()
    try:
        async with store.bulk_write() as bulk:
            await bulk.write(WriteBatch(upsert_stakeholders=[PERSON, COMPANY]))
            assert isinstance(bulk, DeferredBulkWrite) and bulk._writer is None
            assert await bulk.commit() == 1
        async with store.bulk_write() as bulk:
            await bulk.write(WriteBatch(upsert_ties=[TIE]))
            assert isinstance(bulk, DeferredBulkWrite) and bulk._writer is None
            await bulk.write(
                WriteBatch(upsert_interactions=[INTERACTION, replace(INTERACTION, id="i2")])
            )
            # Three rows held: handed to a writer, the ones held first included.
            writer = writer_of(bulk)
            assert await bulk.commit() == 2
        assert writer.returncode == 0
        assert [tie is not None for tie in await store.get_ties(["t1"])] == [True]
        assert [i is not None for i in await store.get_interactions(["i1", "i2"])] == [True, True]
    finally:
        await store.close()


async def test_a_bulk_write_of_ten_thousand_rows_hands_them_to_a_writer(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "graph.db"))
    people = [replace(COMPANY, id=f"c{n}", key=f"acme-{n}") for n in range(10_000)]
    await store.open()
    try:
        async with store.bulk_write() as bulk:
            await bulk.write(WriteBatch(upsert_stakeholders=people[:9_999]))
            assert isinstance(bulk, DeferredBulkWrite) and bulk._writer is None
            await bulk.write(WriteBatch(upsert_stakeholders=people[9_999:]))
            writer = writer_of(bulk)
            assert await bulk.commit() == 1
        assert writer.returncode == 0
        assert (await store.counts()).stakeholders == 10_000
    finally:
        await store.close()


def foreign_keys_in_bulk_write(path: Path) -> int:
    connection = connect(str(path))
    try:
        begin_bulk_write(connection)
        assert connection.in_transaction
        enforced: int = connection.execute("PRAGMA foreign_keys").fetchone()[0]
        connection.execute("ROLLBACK")
        return enforced
    finally:
        connection.close()


async def test_the_writer_checks_foreign_keys_itself_only_in_an_empty_network(
    file_store: SQLiteStore,
) -> None:
    path = Path(file_store.path)
    assert foreign_keys_in_bulk_write(path) == 0
    await file_store.apply(WriteBatch(upsert_stakeholders=[COMPANY]))
    assert foreign_keys_in_bulk_write(path) == 1


async def test_a_first_import_that_deletes_leaves_no_rows_behind_what_it_deleted(
    file_store: SQLiteStore,
) -> None:
    """Written by the writer process without foreign keys, a delete still takes a
    stakeholder's tags and an interaction's participants with it."""
    other = replace(PERSON, id="p2", key="crm-2", tags=("vip",))
    async with file_store.bulk_write() as bulk:
        await bulk.write(WriteBatch(upsert_stakeholders=[PERSON, COMPANY, other]))
        await bulk.write(
            WriteBatch(
                upsert_interactions=[
                    INTERACTION,
                    replace(INTERACTION, id="i2", participants=(Participant("p2"),)),
                ]
            )
        )
        await bulk.write(WriteBatch(delete_interactions=["i1"], delete_stakeholders=["p2"]))
        assert await bulk.commit() == 1
    connection = sqlite3.connect(file_store.path)
    try:
        tags = connection.execute("SELECT stakeholder_id, tag FROM stakeholder_tags").fetchall()
        participants = connection.execute(
            "SELECT interaction_id, stakeholder_id FROM interaction_participants"
        ).fetchall()
        interactions = connection.execute("SELECT id FROM interactions").fetchall()
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        connection.close()
    assert sorted(tags) == [("p1", "board"), ("p1", "vip")]
    assert (participants, interactions) == ([], [])
