"""What only the SQLite store promises: its PRAGMAs, migrations, error mapping and threading."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from stakenet.domain.errors import (
    Conflict,
    NotFound,
    StakenetError,
    StoreUnavailable,
    ValidationFailed,
)
from stakenet.domain.model import (
    SYMMETRIC_TIE_KINDS,
    Interaction,
    InteractionKind,
    Participant,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)
from stakenet.store.port import WriteBatch
from stakenet.store.sqlite import (
    ERROR_MAP,
    Migration,
    SQLiteStore,
    bundled_migrations,
    sql_statements,
    translate_error,
)


def person(sid: str, **fields: Any) -> Stakeholder:
    return Stakeholder(sid, StakeholderKind.PERSON, f"Person {sid}", **fields)


async def run_sql(store: SQLiteStore, sql: str) -> list[tuple[Any, ...]]:
    # Through the store's own workers, so the query sees the store's connection settings.
    rows: list[tuple[Any, ...]] = await store._run(lambda conn: conn.execute(sql).fetchall())
    return rows


@pytest.fixture
async def file_store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    store = SQLiteStore(str(tmp_path / "graph.db"))
    await store.open()
    try:
        yield store
    finally:
        await store.close()


# --- connections ------------------------------------------------------------------------------


async def test_every_file_connection_uses_wal_foreign_keys_and_full_sync(
    file_store: SQLiteStore,
) -> None:
    def pragmas(conn: sqlite3.Connection) -> tuple[Any, ...]:
        time.sleep(0.02)  # keep this worker busy so the others open connections of their own
        return tuple(
            conn.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
        )

    seen = await asyncio.gather(*(file_store._run(pragmas) for _ in range(12)))
    assert set(seen) == {("wal", 1, 2, 10_000)}
    assert len(file_store._connections) > 1


async def test_an_in_memory_store_uses_exactly_one_connection() -> None:
    store = SQLiteStore(":memory:")
    await store.open()
    try:
        await asyncio.gather(
            store.apply(WriteBatch(upsert_stakeholders=[person("a")])),
            *(store.get_stakeholders(["a"]) for _ in range(10)),
        )
        assert len(store._connections) == 1
        assert await run_sql(store, "PRAGMA foreign_keys") == [(1,)]
        assert await run_sql(store, "PRAGMA synchronous") == [(2,)]
        assert (await store.counts()).stakeholders == 1
    finally:
        await store.close()


async def test_no_sqlite3_call_runs_on_the_event_loop_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_connect = sqlite3.connect
    threads_used: set[int] = set()

    def recording_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        threads_used.add(threading.get_ident())
        connection = real_connect(*args, **kwargs)
        connection.set_trace_callback(lambda _sql: threads_used.add(threading.get_ident()))
        return connection

    loop_thread = threading.get_ident()
    # The recorder does see a call made on this thread; so the assertion below can fail.
    recording_connect(":memory:").execute("SELECT 1").fetchall()
    assert threads_used == {loop_thread}
    threads_used.clear()

    monkeypatch.setattr(sqlite3, "connect", recording_connect)
    for path in (":memory:", str(tmp_path / "graph.db")):
        store = SQLiteStore(path)
        await store.open()
        await store.apply(
            WriteBatch(
                upsert_stakeholders=[person("a"), person("b")],
                upsert_ties=[Tie("t", TieKind.KNOWS, "a", "b")],
            )
        )
        await store.get_stakeholders(["a"])
        await store.load_all()
        await store.changes_since(0)
        await store.close()
    assert threads_used, "the store made no sqlite3 call at all"
    assert loop_thread not in threads_used


async def test_a_closed_store_is_unavailable() -> None:
    store = SQLiteStore(":memory:")
    await store.open()
    await store.close()
    with pytest.raises(StoreUnavailable):
        await store.revision()
    await store.close()  # closing twice is harmless


async def test_data_survives_closing_and_reopening(tmp_path: Path) -> None:
    path = str(tmp_path / "graph.db")
    store = SQLiteStore(path)
    await store.open()
    written = await store.apply(
        WriteBatch(
            upsert_stakeholders=[person("a", tags=("vip",)), person("b")],
            upsert_ties=[Tie("t", TieKind.KNOWS, "a", "b", strength=0.5)],
        )
    )
    await store.close()

    reopened = SQLiteStore(path)
    await reopened.open()
    try:
        assert await reopened.revision() == 1
        assert await reopened.changes_since(0) == written.changes
        data = await reopened.load_all()
        assert data.stakeholders + data.ties == [c.entity for c in written.changes]
    finally:
        await reopened.close()


async def test_two_stores_on_one_file_follow_each_others_writes(tmp_path: Path) -> None:
    path = str(tmp_path / "graph.db")
    first, second = SQLiteStore(path), SQLiteStore(path)
    await first.open()
    await second.open()
    try:
        by_first = await first.apply(WriteBatch(upsert_stakeholders=[person("a")]))
        assert await second.changes_since(0) == by_first.changes
        by_second = await second.apply(WriteBatch(upsert_stakeholders=[person("b")]))
        assert by_second.revision == 2
        assert await first.changes_since(1) == by_second.changes
        assert await first.revision() == 2
    finally:
        await first.close()
        await second.close()


async def test_a_write_waits_for_another_writer_to_finish(tmp_path: Path) -> None:
    path = str(tmp_path / "graph.db")
    store = SQLiteStore(path)
    await store.open()
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        other.execute("BEGIN IMMEDIATE")
        threading.Timer(0.3, lambda: other.execute("COMMIT")).start()
        started = time.monotonic()
        result = await store.apply(WriteBatch(upsert_stakeholders=[person("a")]))
        assert result.revision == 1
        assert time.monotonic() - started >= 0.25
    finally:
        await store.close()
        other.close()


async def test_opening_a_new_database_waits_for_another_connection_holding_it(
    tmp_path: Path,
) -> None:
    # Another process touched the file the moment it was created, before the store put it in
    # write-ahead-log mode (which takes the exclusive lock): the open waits as a write would.
    path = tmp_path / "graph.db"
    path.touch()
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, lambda: other.execute("ROLLBACK")).start()
    store = SQLiteStore(str(path))
    try:
        started = time.monotonic()
        await store.open()
        assert time.monotonic() - started >= 0.25
        result = await store.apply(WriteBatch(upsert_stakeholders=[person("a")]))
        assert result.revision == 1
        assert await run_sql(store, "PRAGMA journal_mode") == [("wal",)]
    finally:
        await store.close()
        other.close()


# --- migrations -------------------------------------------------------------------------------


async def applied_versions(store: SQLiteStore) -> list[tuple[Any, ...]]:
    return await run_sql(store, "SELECT version, applied_at FROM schema_migrations ORDER BY 1")


async def test_migrations_are_recorded_and_never_applied_twice(tmp_path: Path) -> None:
    path = str(tmp_path / "graph.db")
    store = SQLiteStore(path)
    await store.open()
    first = await applied_versions(store)
    await store.apply(WriteBatch(upsert_stakeholders=[person("a")]))
    await store.close()

    await store.open()
    try:
        assert [version for version, _ in first] == [m.version for m in bundled_migrations()]
        assert first[0][0] == 1
        assert await applied_versions(store) == first
        assert (await store.counts()).stakeholders == 1
    finally:
        await store.close()


async def test_tokens_of_a_database_from_before_expiry_never_expire(tmp_path: Path) -> None:
    path = str(tmp_path / "graph.db")
    before_expiry = [m for m in bundled_migrations() if m.name != "0008_token_expiry.sql"]
    assert len(before_expiry) == len(bundled_migrations()) - 1
    old = SQLiteStore(path, migrations=before_expiry)
    await old.open()
    await run_sql(
        old,
        "INSERT INTO api_tokens (id, name, role, token_hash, created_at) VALUES "
        "('t1', 'ops', 'admin', 'digest-ops', '2024-06-03T10:15:30.000000+00:00')",
    )
    await old.close()

    new = SQLiteStore(path)
    await new.open()
    try:
        found = await new.token_by_digest("digest-ops")
        assert found is not None
        assert (found.name, found.expires_at) == ("ops", None)
        assert found.active_at(datetime(9999, 1, 1, tzinfo=UTC))
        assert await new.active_token_count() == 1
    finally:
        await new.close()


ADD_NICKNAMES = Migration(
    len(bundled_migrations()) + 1,
    "NNNN_nicknames.sql",
    """
    -- a later schema change: one new column; one new table
    ALTER TABLE stakeholders ADD COLUMN nickname TEXT;
    CREATE TABLE nickname_log (stakeholder_id TEXT, nickname TEXT);
    CREATE TRIGGER log_nickname AFTER UPDATE OF nickname ON stakeholders BEGIN
        INSERT INTO nickname_log VALUES (new.id, new.nickname);
    END;
    """,
)


async def test_an_existing_database_gets_the_later_migrations(tmp_path: Path) -> None:
    path = str(tmp_path / "graph.db")
    shipped = bundled_migrations()
    old = SQLiteStore(path, migrations=shipped)
    await old.open()
    await old.apply(WriteBatch(upsert_stakeholders=[person("a")]))
    assert [v for v, _ in await applied_versions(old)] == [m.version for m in shipped]
    await old.close()

    new = SQLiteStore(path, migrations=[*shipped, ADD_NICKNAMES])
    await new.open()
    try:
        versions = await applied_versions(new)
        assert [v for v, _ in versions] == [*(m.version for m in shipped), ADD_NICKNAMES.version]
        await run_sql(new, "UPDATE stakeholders SET nickname = 'Al' WHERE id = 'a'")
        assert await run_sql(new, "SELECT * FROM nickname_log") == [("a", "Al")]
        assert (await new.get_stakeholders(["a"]))[0] is not None
        await new.close()
        await new.open()
        assert await applied_versions(new) == versions
    finally:
        await new.close()


async def test_the_one_row_per_change_log_becomes_one_set_per_revision(tmp_path: Path) -> None:
    path = str(tmp_path / "graph.db")
    before_sets = [m for m in bundled_migrations() if m.version < 3]
    old = SQLiteStore(path, migrations=before_sets)
    await old.open()
    a = {"id": "a", "kind": "PERSON", "name": "Anna", "tags": [], "internal": False,
         "created_at": "2026-01-01T00:00:00+00:00", "updated_at": "2026-01-01T00:00:00+00:00"}  # fmt: skip
    b = {**a, "id": "b", "name": "Bo"}
    tie = {"id": "t", "kind": "KNOWS", "source_id": "a", "target_id": "b",
           "created_at": "2026-01-01T00:00:00+00:00", "updated_at": "2026-01-01T00:00:00+00:00"}  # fmt: skip
    legacy = [  # as the older store wrote them, seq order within a revision mattering
        (1, "stakeholder", "upsert", "b", b),
        (1, "stakeholder", "upsert", "a", a),
        (2, "tie", "upsert", "t", tie),
        (3, "tie", "delete", "t", None),
        (3, "stakeholder", "upsert", "a", {**a, "name": "Anna Renamed"}),
    ]
    for revision, entity_type, op, entity_id, payload in legacy:
        values = (revision, entity_type, op, entity_id, payload and json.dumps(payload))
        await old._run(
            lambda conn, values=values: conn.execute(
                "INSERT INTO changes (revision, entity_type, op, entity_id, payload) "
                "VALUES (?, ?, ?, ?, ?)",
                values,
            )
        )
    await run_sql(old, "UPDATE meta SET value = 3 WHERE name = 'revision'")
    await old.close()

    new = SQLiteStore(path)
    await new.open()
    try:
        changes = await new.changes_since(0)
        assert [(c.revision, c.op.value, c.entity_id) for c in changes] == [
            (r, op, entity_id) for r, _, op, entity_id, _ in legacy
        ]
        assert isinstance(changes[1].entity, Stakeholder) and changes[1].entity.name == "Anna"
        assert isinstance(changes[4].entity, Stakeholder)
        assert changes[4].entity.name == "Anna Renamed"
        assert isinstance(changes[2].entity, Tie) and changes[2].entity.target_id == "b"
        assert changes[3].entity is None
        assert [c.revision for c in await new.changes_since(1, limit=1)] == [2]
        assert await run_sql(new, "SELECT name FROM sqlite_master WHERE name = 'changes'") == []
    finally:
        await new.close()


async def test_ties_stored_twice_keep_their_rows_and_the_later_copies_get_a_key(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "graph.db")
    before = [m for m in bundled_migrations() if m.version < 5]
    old = SQLiteStore(path, migrations=before)
    await old.open()
    await old.apply(WriteBatch(upsert_stakeholders=[person("a"), person("b")]))
    # As concurrent creates could store them: one KNOWS tie four times (twice either way
    # round), one REPORTS_TO each way, and a keyed tie beside them.
    copies = [
        ("k1", "KNOWS", "a", "b", None, "2026-01-01"),
        ("k2", "KNOWS", "b", "a", None, "2026-01-02"),
        ("k0", "KNOWS", "a", "b", None, "2026-01-03"),
        ("k3", "KNOWS", "a", "b", None, "2026-01-03"),
        ("r1", "REPORTS_TO", "a", "b", None, "2026-01-01"),
        ("r2", "REPORTS_TO", "b", "a", None, "2026-01-01"),
        ("c1", "KNOWS", "a", "b", "crm-1", "2025-01-01"),
    ]
    for tie_id, kind, source, target, key, created in copies:
        await old._run(
            lambda conn, row=(tie_id, kind, source, target, key, created): conn.execute(
                "INSERT INTO ties (id, kind, source_id, target_id, key, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (*row, row[-1]),
            )
        )
    await old.close()

    new = SQLiteStore(path)
    await new.open()
    try:
        keys = await run_sql(new, "SELECT id, key FROM ties ORDER BY id")
        assert keys == [
            ("c1", "crm-1"),
            ("k0", "duplicate-k0"),
            ("k1", None),
            ("k2", "duplicate-k2"),
            ("k3", "duplicate-k3"),
            ("r1", None),
            ("r2", None),
        ]
        with pytest.raises(Conflict):
            await new.apply(WriteBatch(upsert_ties=[Tie("k4", TieKind.KNOWS, "b", "a")]))
    finally:
        await new.close()


@pytest.mark.parametrize("name", ["0005_tie_identity.sql", "0007_partial_key_indexes.sql"])
def test_the_tie_identity_index_knows_the_symmetric_kinds(name: str) -> None:
    [migration] = [m for m in bundled_migrations() if m.name == name]
    for kind in TieKind:
        listed = f"'{kind.value}'" in migration.sql
        assert listed == (kind in SYMMETRIC_TIE_KINDS), kind


# Rows taking the keys of KEYED_NETWORK, written past the store's own check of keys.
KEY_TAKEN_INSERTS = (
    "INSERT INTO stakeholders (id, kind, key, name, name_folded, created_at, updated_at) "
    "VALUES ('d', 'PERSON', 'crm-a', 'D', 'd', 'x', 'x')",
    "INSERT INTO ties (id, kind, source_id, target_id, key, created_at, updated_at) "
    "VALUES ('t6', 'KNOWS', 'a', 'c', 'crm-t1', 'x', 'x')",
    "INSERT INTO interactions (id, kind, occurred_at, key, created_at, updated_at) "
    "VALUES ('i3', 'CALL', 'x', 'crm-i1', 'x', 'x')",
)

DANGLING_TIE_INSERT = (
    "INSERT INTO ties (id, kind, source_id, target_id, created_at, updated_at) "
    "VALUES ('t9', 'KNOWS', 'a', 'ghost', 'x', 'x')"
)

KEYED_NETWORK = WriteBatch(
    upsert_stakeholders=[
        person("a", key="crm-a", tags=("vip", "board")),
        person("b"),
        Stakeholder("c", StakeholderKind.COMPANY, "Acme", key="crm-c", internal=True),
    ],
    upsert_ties=[
        Tie("t1", TieKind.WORKS_FOR, "a", "c", key="crm-t1", role="CEO"),
        Tie("t2", TieKind.KNOWS, "b", "a", strength=0.5),
        Tie("t3", TieKind.WORKS_FOR, "b", "c"),
    ],
    upsert_interactions=[
        Interaction(
            "i1",
            InteractionKind.MEETING,
            datetime(2026, 3, 1, tzinfo=UTC),
            (Participant("a"), Participant("b", "host")),
            key="crm-i1",
        ),
        Interaction(
            "i2", InteractionKind.CALL, datetime(2026, 3, 2, tzinfo=UTC), (Participant("c"),)
        ),
    ],
)

# Every row of every table the network is in, for comparing a database before and after.
NETWORK_TABLES = (
    "stakeholders",
    "stakeholder_tags",
    "ties",
    "interactions",
    "interaction_participants",
    "change_sets",
    "meta",
)


async def network_rows(store: SQLiteStore) -> dict[str, list[tuple[Any, ...]]]:
    listed = "SELECT * FROM {} ORDER BY 1, 2"
    return {table: await run_sql(store, listed.format(table)) for table in NETWORK_TABLES}


async def key_indexes(store: SQLiteStore, table: str) -> list[tuple[Any, ...]]:
    """The unique indexes of `table` that cover its key: (name, origin, partial)."""
    listed = await run_sql(store, f"PRAGMA index_list({table})")
    found = []
    for _, name, unique, origin, partial in listed:
        columns = [row[2] for row in await run_sql(store, f"PRAGMA index_info('{name}')")]
        if unique and columns == ["key"]:
            found.append((name, origin, partial))
    return found


async def test_keys_are_unique_where_set_and_a_database_keeps_every_row(tmp_path: Path) -> None:
    path = str(tmp_path / "graph.db")
    before = [m for m in bundled_migrations() if m.version < 7]
    old = SQLiteStore(path, migrations=before)
    await old.open()
    await old.apply(KEYED_NETWORK)
    await old.apply(WriteBatch(delete_ties=["t3"]))
    rows = await network_rows(old)
    data = await old.load_all()
    changes = await old.changes_since(0)
    # The column's UNIQUE: an index SQLite made ('u'), with an entry for every row.
    assert await key_indexes(old, "ties") == [("sqlite_autoindex_ties_2", "u", 0)]
    await old.close()

    new = SQLiteStore(path)
    await new.open()
    try:
        assert await network_rows(new) == rows
        assert await new.load_all() == data
        assert await new.changes_since(0) == changes
        for table in ("stakeholders", "ties", "interactions"):
            assert await key_indexes(new, table) == [(f"{table}_key", "c", 1)]
        assert [s and s.id for s in await new.get_stakeholders_by_key(["crm-c", "crm-a", "x"])] == [
            "c",
            "a",
            None,
        ]
        assert [t and t.id for t in await new.get_ties_by_key(["crm-t1"])] == ["t1"]
        assert [i and i.id for i in await new.get_interactions_by_key(["crm-i1"])] == ["i1"]
        assert [t.id for t in await new.ties_of(["a"])] == ["t1", "t2"]
        assert await run_sql(new, "PRAGMA foreign_key_check") == []
        assert await run_sql(new, "PRAGMA integrity_check") == [("ok",)]
        assert await run_sql(new, "PRAGMA foreign_keys") == [(1,)]
        # A key stays unique, any number of rows go without one, and a keyless tie's identity
        # is still one tie's.
        with pytest.raises(Conflict):
            await new.apply(
                WriteBatch(upsert_ties=[Tie("t4", TieKind.KNOWS, "c", "a", key="crm-t1")])
            )
        with pytest.raises(Conflict):
            await new.apply(WriteBatch(upsert_ties=[Tie("t5", TieKind.KNOWS, "a", "b")]))
        for insert in KEY_TAKEN_INSERTS:
            with pytest.raises(Conflict, match="already used"):
                await run_sql(new, insert)
        await new.apply(
            WriteBatch(
                upsert_ties=[
                    Tie("t7", TieKind.WORKS_FOR, "a", "b"),
                    Tie("t8", TieKind.KNOWS, "a", "c"),
                ],
                upsert_interactions=[
                    Interaction(
                        "i4",
                        InteractionKind.CALL,
                        datetime(2026, 3, 3, tzinfo=UTC),
                        (Participant("a"),),
                    )
                ],
            )
        )
        assert (await new.counts()).ties == 4
        # Foreign keys are enforced again once the migrations are done.
        with pytest.raises(NotFound):
            await run_sql(new, DANGLING_TIE_INSERT)
    finally:
        await new.close()


async def test_a_migration_that_would_leave_a_dangling_reference_is_rolled_back(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "graph.db")
    store = SQLiteStore(path)
    await store.open()
    await store.apply(KEYED_NETWORK)
    await store.close()
    dangling = Migration(
        len(bundled_migrations()) + 1,
        "NNNN_dangling.sql",
        "CREATE TABLE notes (x);\nDELETE FROM stakeholders WHERE id = 'b';\n",
    )
    broken = SQLiteStore(path, migrations=[*bundled_migrations(), dangling])
    with pytest.raises(StoreUnavailable):
        await broken.open()
    check = sqlite3.connect(path)
    try:
        assert check.execute("SELECT id FROM stakeholders ORDER BY id").fetchall() == [
            ("a",),
            ("b",),
            ("c",),
        ]
        assert check.execute("SELECT name FROM sqlite_master WHERE name = 'notes'").fetchall() == []
        last = len(bundled_migrations())
        assert check.execute("SELECT max(version) FROM schema_migrations").fetchone() == (last,)
    finally:
        check.close()


async def test_a_failing_migration_is_rolled_back_whole(tmp_path: Path) -> None:
    path = str(tmp_path / "graph.db")
    broken = Migration(2, "0002_broken.sql", "CREATE TABLE half_done (x);\nCREATE TABLE oops (;\n")
    store = SQLiteStore(path, migrations=[*bundled_migrations()[:1], broken])
    with pytest.raises(StoreUnavailable) as raised:
        await store.open()
    assert "CREATE" not in str(raised.value)

    check = sqlite3.connect(path)
    try:
        tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master")}
        versions = check.execute("SELECT version FROM schema_migrations").fetchall()
    finally:
        check.close()
    assert "half_done" not in tables
    assert "stakeholders" in tables
    assert versions == [(1,)]


def test_migration_scripts_split_into_whole_statements() -> None:
    statements = list(sql_statements(ADD_NICKNAMES.sql))
    assert len(statements) == 3
    assert statements[2].startswith("CREATE TRIGGER") and statements[2].endswith("END;")
    with pytest.raises(ValueError, match="incomplete"):
        list(sql_statements("CREATE TABLE t (x);\nCREATE TABLE u (y)\n"))


# --- errors -----------------------------------------------------------------------------------

EXPECTED_DOMAIN_ERROR: dict[type[sqlite3.Error], type[StakenetError]] = {
    sqlite3.Error: StoreUnavailable,
    sqlite3.IntegrityError: ValidationFailed,  # neither a foreign key nor a unique key
    sqlite3.OperationalError: StoreUnavailable,
    sqlite3.DatabaseError: StoreUnavailable,
    sqlite3.InterfaceError: StoreUnavailable,
    sqlite3.ProgrammingError: StoreUnavailable,
    sqlite3.DataError: ValidationFailed,
    sqlite3.NotSupportedError: StoreUnavailable,
    sqlite3.InternalError: StoreUnavailable,
}


def sqlite3_error_classes() -> set[type[sqlite3.Error]]:
    return {
        value
        for value in vars(sqlite3).values()
        if isinstance(value, type) and issubclass(value, sqlite3.Error)
    }


def test_every_sqlite3_error_class_is_mapped_to_a_domain_error() -> None:
    classes = sqlite3_error_classes()
    assert set(EXPECTED_DOMAIN_ERROR) == classes
    assert classes <= {driver_error for driver_error, _ in ERROR_MAP}
    for error_class in classes:
        translated = translate_error(error_class('near "DROP TABLE stakeholders": syntax error'))
        assert type(translated) is EXPECTED_DOMAIN_ERROR[error_class], error_class
        assert "DROP" not in str(translated)


def raised_by(statements: list[str]) -> sqlite3.Error:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        for statement in statements[:-1]:
            connection.execute(statement)
        with pytest.raises(sqlite3.Error) as raised:
            connection.execute(statements[-1])
        return raised.value
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        (
            [
                "CREATE TABLE s (id TEXT PRIMARY KEY)",
                "CREATE TABLE t (s_id TEXT REFERENCES s (id))",
                "INSERT INTO t VALUES ('ghost')",
            ],
            NotFound,
        ),
        (
            [
                "CREATE TABLE s (id TEXT PRIMARY KEY, key TEXT UNIQUE)",
                "INSERT INTO s VALUES ('a', 'k')",
                "INSERT INTO s VALUES ('b', 'k')",
            ],
            Conflict,
        ),
        (
            [
                "CREATE TABLE s (id TEXT PRIMARY KEY)",
                "INSERT INTO s VALUES ('a')",
                "INSERT INTO s VALUES ('a')",
            ],
            Conflict,
        ),
        (["CREATE TABLE s (n INTEGER NOT NULL)", "INSERT INTO s VALUES (NULL)"], ValidationFailed),
        (["SELECT * FROM no_such_table"], StoreUnavailable),
    ],
    ids=["foreign-key", "unique", "primary-key", "not-null", "missing-table"],
)
def test_real_sqlite_errors_map_by_their_cause(
    statements: list[str], expected: type[StakenetError]
) -> None:
    translated = translate_error(raised_by(statements))
    assert type(translated) is expected
    assert "INSERT" not in str(translated) and "SELECT" not in str(translated)


def test_a_locked_database_is_unavailable(tmp_path: Path) -> None:
    path = str(tmp_path / "graph.db")
    holder = sqlite3.connect(path, isolation_level=None)
    waiter = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError) as raised:
            waiter.execute("BEGIN IMMEDIATE")
    finally:
        holder.close()
        waiter.close()
    translated = translate_error(raised.value)
    assert isinstance(translated, StoreUnavailable)
    assert "locked" in str(translated)


async def test_a_file_that_is_not_a_database_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    path.write_bytes(b"this is not an SQLite database, just some text" * 100)
    store = SQLiteStore(str(path))
    with pytest.raises(StoreUnavailable):
        await store.open()
    with pytest.raises(StoreUnavailable):
        await store.revision()


# --- writes only SQLite is asked about --------------------------------------------------------


async def test_keys_can_change_hands_within_one_batch(file_store: SQLiteStore) -> None:
    await file_store.apply(
        WriteBatch(upsert_stakeholders=[person("a", key="k1"), person("b", key="k2")])
    )
    await file_store.apply(
        WriteBatch(upsert_stakeholders=[person("a", key="k2"), person("b", key="k1")])
    )
    found = await file_store.get_stakeholders_by_key(["k1", "k2"])
    assert [s and s.id for s in found] == ["b", "a"]


async def test_datetimes_are_stored_in_utc_and_naive_ones_read_as_utc(
    file_store: SQLiteStore,
) -> None:
    naive = datetime(2024, 1, 2, 3, 4, 5)
    await file_store.apply(
        WriteBatch(
            upsert_stakeholders=[person("a")],
            upsert_interactions=[
                Interaction("i", InteractionKind.CALL, naive, (Participant("a"),))
            ],
        )
    )
    [stored] = await file_store.get_interactions(["i"])
    assert stored is not None
    assert stored.occurred_at == naive.replace(tzinfo=UTC)
    assert stored.occurred_at.utcoffset() is not None


async def test_a_participant_named_twice_is_rejected(file_store: SQLiteStore) -> None:
    await file_store.apply(WriteBatch(upsert_stakeholders=[person("a")]))
    twice = Interaction(
        "i", InteractionKind.CALL, datetime.now(UTC), (Participant("a"), Participant("a", "x"))
    )
    with pytest.raises(ValidationFailed):
        await file_store.apply(WriteBatch(upsert_interactions=[twice]))
    assert await file_store.revision() == 1


@pytest.mark.slow
async def test_a_bulk_batch_of_100k_ties_is_applied_whole(file_store: SQLiteStore) -> None:
    batch = bulk_batch(stakeholders=20_000, ties=100_000)
    result = await file_store.apply(batch)
    counts = await file_store.counts()
    assert (counts.stakeholders, counts.ties, counts.revision) == (20_000, 100_000, 1)
    assert len(result.changes) == 120_000
    assert len(await file_store.changes_since(0, limit=10)) == 120_000


def bulk_batch(stakeholders: int, ties: int) -> WriteBatch:
    people = [person(f"p{n}", key=f"crm-{n}", tags=("bulk",)) for n in range(stakeholders)]
    links = [
        Tie(
            f"t{n}",
            TieKind.KNOWS,
            f"p{n % stakeholders}",
            f"p{(n * 7 + 1) % stakeholders}",
            key=f"tie-{n}",
            strength=0.5,
        )
        for n in range(ties)
    ]
    return WriteBatch(upsert_stakeholders=people, upsert_ties=links)


@pytest.mark.parametrize("where", ["memory", "file"])
async def test_a_bulk_write_into_empty_tables_keeps_every_index(tmp_path: Path, where: str) -> None:
    store = SQLiteStore(":memory:" if where == "memory" else str(tmp_path / "graph.db"))
    await store.open()
    indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    try:
        before = await run_sql(store, indexes)
        # One bulk write that changes nothing (the tables are dropped from, then kept empty),
        # one that loads rows.
        async with store.bulk_write() as bulk:
            await bulk.write(WriteBatch(delete_ties=["gone"]))
            assert await bulk.commit() == 0
        assert await run_sql(store, indexes) == before
        async with store.bulk_write() as bulk:
            await bulk.write(WriteBatch(upsert_stakeholders=[person("a"), person("b")]))
            assert await bulk.commit() == 1
        assert await run_sql(store, indexes) == before
    finally:
        await store.close()
