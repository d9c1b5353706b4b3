"""The Neo4j store beyond the shared contract: its Cypher, schema, errors and behaviour on faults.

Tests marked `bolt` run against a real Bolt server (the Neo4j the tests start, or the one named by
STAKENET_TEST_NEO4J_URI). The fault tests kill and restart a server, so they get one of their
own rather than the shared one.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import neo4j
import neo4j.exceptions
import pytest

import stakenet.store.neo4j.cypher as cypher
import stakenet.store.neo4j.store as neo4j_store
from stakenet.domain.access import ApiToken, AuditEntry, Role
from stakenet.domain.document_stream import Rows
from stakenet.domain.errors import Conflict, NotFound, StakenetError, StoreUnavailable
from stakenet.domain.model import (
    ChangeOp,
    DecisionRole,
    Evidence,
    Interaction,
    InteractionKind,
    OrganizationCategory,
    Participant,
    Seniority,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)
from stakenet.services.transfer import import_members
from stakenet.store.neo4j import (
    EXC_MAP,
    Neo4jStore,
    bundled_schema,
    cypher_statements,
    translate_error,
)
from stakenet.store.neo4j.migration import migrate_network
from stakenet.store.port import PageRequest, StakeholderFilter, StakeholderOrder, WriteBatch
from support.bolt_fixtures import external_server
from support.bolt_server import (
    BoltServer,
    kill_bolt_server,
    restart_bolt_server,
    start_bolt_server,
    stop_bolt_server,
    wipe_database,
)
from support.cypher_lint import format_errors, lint_cypher, node_available

REPO_ROOT = Path(__file__).resolve().parents[3]
SCHEMA_DIR = REPO_ROOT / "graph_schema"
PACKAGED_SCHEMA_DIR = REPO_ROOT / "src" / "stakenet" / "store" / "graph_schema"


def person(sid: str, **fields: object) -> Stakeholder:
    return Stakeholder(sid, StakeholderKind.PERSON, f"Person {sid}", **fields)  # type: ignore[arg-type]


def store_on(server: BoltServer, **options: float) -> Neo4jStore:
    return Neo4jStore(server.uri, server.user, server.password, server.database, **options)


# --- errors -------------------------------------------------------------------------------------


def driver_exception_classes() -> list[type[Exception]]:
    """Every exception class the driver defines that it or the server can raise."""
    roots = (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError)
    return [
        cls
        for _, cls in inspect.getmembers(neo4j.exceptions, inspect.isclass)
        if issubclass(cls, roots)
    ]


def test_every_driver_exception_class_is_mapped_to_a_domain_error() -> None:
    classes = driver_exception_classes()
    assert len(classes) > 25
    for cls in classes:
        assert any(issubclass(cls, mapped) for mapped, _ in EXC_MAP), cls.__name__
        translated = translate_error(instance_of(cls))
        assert isinstance(translated, StakenetError), cls.__name__


def instance_of(cls: type[Exception]) -> Exception:
    try:
        return cls()
    except TypeError:  # e.g. ResultError wants the result it is about
        return cls.__new__(cls)


def test_each_class_meets_its_most_specific_entry_first() -> None:
    # An entry placed after one of its base classes could never be reached.
    for index, (cls, _) in enumerate(EXC_MAP):
        for earlier, _ in EXC_MAP[:index]:
            assert not issubclass(cls, earlier), f"{cls.__name__} is shadowed by {earlier.__name__}"


def test_a_transaction_the_server_dropped_is_reported_as_not_written() -> None:
    dropped = neo4j.exceptions.Neo4jError._hydrate_neo4j(
        code="Neo.ClientError.Transaction.TransactionNotFound", message="no transaction"
    )
    translated = translate_error(dropped)
    assert isinstance(translated, StoreUnavailable)
    assert "nothing of it was written" in str(translated)
    other = neo4j.exceptions.Neo4jError._hydrate_neo4j(
        code="Neo.ClientError.Statement.SyntaxError", message="bad"
    )
    assert "rejected a query" in str(translate_error(other))


def test_a_transaction_over_the_servers_memory_limit_says_so_and_that_nothing_was_written() -> None:
    refused = neo4j.exceptions.Neo4jError._hydrate_neo4j(
        code="Neo.TransientError.General.MemoryPoolOutOfMemoryError", message="pool full"
    )
    translated = translate_error(refused)
    assert isinstance(translated, StoreUnavailable)
    assert str(translated) == (
        "The transaction needs more memory than the database allows it "
        "(db.memory.transaction.total.max, the heap); nothing of it was written."
    )
    busy = neo4j.exceptions.Neo4jError._hydrate_neo4j(
        code="Neo.TransientError.Transaction.DeadlockDetected", message="deadlock"
    )
    assert str(translate_error(busy)) == "The database is busy or changing roles; retry later."


def test_constraint_errors_are_conflicts_and_lost_servers_are_unavailable() -> None:
    assert isinstance(translate_error(neo4j.exceptions.ConstraintError()), Conflict)
    for cls in (
        neo4j.exceptions.ServiceUnavailable,
        neo4j.exceptions.SessionExpired,
        neo4j.exceptions.TransientError,
        neo4j.exceptions.AuthError,
        neo4j.exceptions.CypherSyntaxError,
        neo4j.exceptions.IncompleteCommit,
    ):
        assert isinstance(translate_error(cls()), StoreUnavailable), cls.__name__


def test_a_driver_message_never_reaches_the_domain_error() -> None:
    leaky = neo4j.exceptions.ServiceUnavailable("MATCH (n) password=hunter2")
    assert "hunter2" not in str(translate_error(leaky))
    assert "MATCH" not in str(translate_error(leaky))


def test_the_password_is_not_in_the_repr() -> None:
    store = Neo4jStore("bolt://127.0.0.1:7687", "neo4j", "hunter2", "neo4j")
    assert "hunter2" not in repr(store)
    assert "hunter2" not in str(vars(store))


# --- Cypher and schema --------------------------------------------------------------------------


def adapter_statements() -> dict[str, str]:
    """Every public upper-case string constant of the Cypher module: each is one statement."""
    return {
        name: value
        for name, value in vars(cypher).items()
        if name.isupper() and not name.startswith("_") and isinstance(value, str)
    }


def schema_statements() -> list[str]:
    return [
        statement
        for path in sorted(SCHEMA_DIR.glob("*.cypher"))
        for statement in cypher_statements(path.read_text("utf-8"))
    ]


@pytest.mark.skipif(not node_available(), reason="needs node and `npm ci` at the repo root")
def test_every_statement_passes_the_neo4j_parser() -> None:
    statements = [
        *adapter_statements().values(),
        *cypher.stakeholder_listings(),
        *cypher.statements_per_kind(),
        *schema_statements(),
    ]
    assert len(statements) > 50
    results = lint_cypher(statements)
    assert all(result.ok for result in results), format_errors(results)


def test_a_listing_holds_only_the_conditions_of_the_filters_set() -> None:
    page, count = cypher.stakeholder_listing(["kind", "tags"], StakeholderOrder.NAME, after=False)
    assert "s.kind = $kind" in page and "$tags" in page
    for absent in ("$search", "$internal", "$updated_since", "$after_sort", "IS NULL"):
        assert absent not in page, absent
    assert (
        count
        == "MATCH (s:Stakeholder) WHERE s.kind = $kind AND all(tag IN $tags WHERE tag IN s.tags) RETURN count(s) AS total"
    )
    unfiltered, _ = cypher.stakeholder_listing([], StakeholderOrder.UPDATED_AT, after=True)
    assert unfiltered.startswith("MATCH (s:Stakeholder) WHERE (s.updated_at < $after_sort")


def test_every_listing_variant_is_listed_once() -> None:
    listings = cypher.stakeholder_listings()
    filters = len(cypher.STAKEHOLDER_FILTERS)
    # Pages per filter set, order and cursor, and one count per filter set.
    assert len(set(listings)) == len(listings) == 2**filters * (2 * 2 + 1)
    assert not any("IS NULL" in statement for statement in listings)


def test_an_unknown_listing_filter_is_refused() -> None:
    with pytest.raises(ValueError, match="colour"):
        cypher.stakeholder_listing(["colour"], StakeholderOrder.NAME, after=False)


def test_the_packaged_schema_is_the_top_level_schema() -> None:
    top = {path.name: path.read_bytes() for path in SCHEMA_DIR.glob("*.cypher")}
    packaged = {path.name: path.read_bytes() for path in PACKAGED_SCHEMA_DIR.glob("*.cypher")}
    assert top and top == packaged


def test_schema_scripts_are_numbered_idempotent_and_in_order() -> None:
    scripts = bundled_schema()
    assert [script.version for script in scripts] == list(range(1, len(scripts) + 1))
    for script in scripts:
        for statement in script.statements:
            if statement.startswith("DROP CONSTRAINT"):
                assert statement.endswith(" IF EXISTS"), statement
                continue
            assert statement.startswith(("CREATE CONSTRAINT", "CREATE INDEX")), statement
            assert " IF NOT EXISTS " in statement, statement


# --- against a Bolt server ----------------------------------------------------------------------


@pytest.fixture
async def store(bolt_server: BoltServer) -> AsyncIterator[Neo4jStore]:
    wipe_database(bolt_server)
    opened = store_on(bolt_server)
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()


@pytest.mark.bolt
async def test_reading_an_empty_database_logs_no_server_notifications(
    store: Neo4jStore, caplog: pytest.LogCaptureFixture
) -> None:
    # The server would note that a label or a property key the queries name is not in the
    # database yet: hints about the store's own linted queries, printed to every command's
    # standard error as warnings by the driver's logger.
    with caplog.at_level(logging.INFO, logger="neo4j.notifications"):
        await store.load_all()
        await store.find_stakeholders(StakeholderFilter(search="x"), PageRequest())
        await store.changes_since(0)
    assert [record.getMessage() for record in caplog.records] == []


@pytest.mark.bolt
async def test_open_applies_the_schema_only_to_a_database_not_noted_at_its_version(
    bolt_server: BoltServer,
) -> None:
    wipe_database(bolt_server)
    newest = bundled_schema()[-1].version
    with neo4j.GraphDatabase.driver(bolt_server.uri, auth=bolt_server.auth) as driver:

        def run(query: str) -> list[neo4j.Record]:
            records, _, _ = driver.execute_query(query, database_=bolt_server.database)
            return records

        def has_alert_seq_index() -> bool:
            return bool(run("SHOW INDEXES YIELD name WHERE name = 'alert_seq' RETURN name"))

        async def open_and_close() -> None:
            opened = store_on(bolt_server)
            await opened.open()
            await opened.close()

        await open_and_close()
        assert has_alert_seq_index()
        [[version]] = run("MATCH (m:GraphMeta {id: 'graph'}) RETURN m.schema_version")
        assert version == newest
        # Noted at its version, the database is not asked again: an index dropped by hand
        # stays dropped ...
        run("DROP INDEX alert_seq")
        await open_and_close()
        assert not has_alert_seq_index()
        # ... until the note is older than the newest script.
        run(f"MATCH (m:GraphMeta {{id: 'graph'}}) SET m.schema_version = {newest - 1}")
        await open_and_close()
        assert has_alert_seq_index()


@pytest.mark.bolt
async def test_stores_opened_at_once_on_a_new_database_all_open_with_the_whole_schema(
    bolt_server: BoltServer,
) -> None:
    """Replicas started together on a new database apply the schema at the same moment: the
    statements that collide (a deadlock, or a rule another created meanwhile) are run again."""
    wipe_database(bolt_server)
    with neo4j.GraphDatabase.driver(bolt_server.uri, auth=bolt_server.auth) as driver:

        def run(query: str) -> list[neo4j.Record]:
            records, _, _ = driver.execute_query(query, database_=bolt_server.database)
            return records

        def drop_the_schema() -> None:
            for [name] in run("SHOW CONSTRAINTS YIELD name RETURN name"):
                run(f"DROP CONSTRAINT `{name}`")
            for [name] in run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name"):
                run(f"DROP INDEX `{name}`")
            run("MATCH (m:GraphMeta) DETACH DELETE m")

        created = {s.split()[2] for s in schema_statements() if s.startswith("CREATE")}
        for _ in range(3):
            drop_the_schema()
            stores = [store_on(bolt_server) for _ in range(4)]
            try:
                await asyncio.gather(*(opened.open() for opened in stores))
            finally:
                await asyncio.gather(*(opened.close() for opened in stores))
            names = {r["name"] for r in run("SHOW CONSTRAINTS YIELD name RETURN name")}
            names |= {r["name"] for r in run("SHOW INDEXES YIELD name RETURN name")}
            assert created <= names
            [[version]] = run("MATCH (m:GraphMeta {id: 'graph'}) RETURN m.schema_version")
            assert version == bundled_schema()[-1].version


@pytest.mark.bolt
async def test_open_creates_every_constraint_and_index(bolt_server: BoltServer) -> None:
    opened = store_on(bolt_server)
    await opened.open()
    await opened.close()
    with neo4j.GraphDatabase.driver(bolt_server.uri, auth=bolt_server.auth) as driver:
        constraints, _, _ = driver.execute_query(
            "SHOW CONSTRAINTS YIELD name RETURN name", database_=bolt_server.database
        )
        indexes, _, _ = driver.execute_query(
            "SHOW INDEXES YIELD name RETURN name", database_=bolt_server.database
        )
    names = {record["name"] for record in [*constraints, *indexes]}
    # CREATE|DROP CONSTRAINT|INDEX <name> …
    created = {s.split()[2] for s in schema_statements() if s.startswith("CREATE")}
    dropped = {s.split()[2] for s in schema_statements() if s.startswith("DROP")}
    assert created <= names
    assert not dropped & names


@pytest.mark.bolt
async def test_opening_twice_keeps_the_schema_and_the_revision(
    store: Neo4jStore, bolt_server: BoltServer
) -> None:
    await store.apply(WriteBatch(upsert_stakeholders=[person("a")]))
    again = store_on(bolt_server)
    await again.open()
    try:
        assert await again.revision() == 1
    finally:
        await again.close()


@pytest.mark.bolt
async def test_two_stores_on_one_server_see_each_others_writes(
    store: Neo4jStore, bolt_server: BoltServer
) -> None:
    other = store_on(bolt_server)
    await other.open()
    try:
        written = await store.apply(WriteBatch(upsert_stakeholders=[person("a"), person("b")]))
        seen = await other.changes_since(0)
        assert seen == written.changes
        reply = await other.apply(WriteBatch(upsert_ties=[Tie("t", TieKind.KNOWS, "a", "b")]))
        assert reply.revision == 2
        [change] = await store.changes_since(1)
        assert (change.op, change.entity_id, change.revision) == (ChangeOp.UPSERT, "t", 2)
    finally:
        await other.close()


@pytest.mark.bolt
async def test_concurrent_writers_in_two_stores_never_share_a_revision(
    store: Neo4jStore, bolt_server: BoltServer
) -> None:
    other = store_on(bolt_server)
    await other.open()
    try:
        results = await asyncio.gather(
            *(
                (store if n % 2 else other).apply(WriteBatch(upsert_stakeholders=[person(f"p{n}")]))
                for n in range(12)
            )
        )
    finally:
        await other.close()
    assert sorted(result.revision for result in results) == list(range(1, 13))
    changes = await store.changes_since(0)
    assert sorted(change.revision for change in changes) == list(range(1, 13))


@pytest.mark.bolt
async def test_a_wrong_password_is_unavailable_without_saying_the_password(
    bolt_server: BoltServer,
) -> None:
    if bolt_server.password == "":
        pytest.skip("the server accepts any password")
    wrong = Neo4jStore(bolt_server.uri, bolt_server.user, "not-the-password", bolt_server.database)
    with pytest.raises(StoreUnavailable) as raised:
        await wrong.open()
    assert "not-the-password" not in str(raised.value)
    assert "not-the-password" not in repr(raised.value)


@pytest.mark.bolt
async def test_logins_refused_too_often_say_so_and_that_the_credentials_are_to_check(
    bolt_server: BoltServer,
) -> None:
    if bolt_server.password == "":
        pytest.skip("the server accepts any password")
    # A user of its own: the server locks out a user name after a few failed logins.
    user, password = f"locked{time.monotonic_ns()}", "the-right-password"
    admin = neo4j.GraphDatabase.driver(
        bolt_server.uri, auth=(bolt_server.user, bolt_server.password)
    )
    try:
        admin.execute_query(
            f"CREATE USER {user} SET PASSWORD $password CHANGE NOT REQUIRED",
            password=password,
            database_="system",
        )
        messages = []
        for _ in range(6):
            wrong = Neo4jStore(bolt_server.uri, user, "not-the-password", bolt_server.database)
            with pytest.raises(StoreUnavailable) as raised:
                await wrong.open()
            messages.append(str(raised.value))
        assert messages[0] == "The database refused the configured credentials."
        assert messages[-1] == (
            "The database refused the configured credentials too many times in a row and "
            "accepts no login for that user for a while: check them, then retry."
        )
    finally:
        admin.execute_query(f"DROP USER {user} IF EXISTS", database_="system")
        admin.close()


# --- access: tokens, the audit trail, erasure ----------------------------------------------------

MOMENT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def token(name: str, digest: str, role: Role = Role.EDITOR) -> ApiToken:
    return ApiToken(f"id-{digest}", name, role, digest, MOMENT)


@pytest.mark.bolt
async def test_tokens_are_created_found_by_digest_listed_and_revoked(store: Neo4jStore) -> None:
    await store.create_token(token("ci", "d1"))
    await store.create_token(token("ops", "d2", Role.ADMIN))
    with pytest.raises(Conflict):
        await store.create_token(token("ci", "d3"))
    assert await store.active_token_count() == 2
    assert await store.token_by_digest("d2") == token("ops", "d2", Role.ADMIN)
    assert await store.token_by_digest("nope") is None

    revoked = await store.revoke_token("ci", MOMENT + timedelta(days=1))
    assert revoked.revoked_at == MOMENT + timedelta(days=1) and revoked.revoked_at is not None
    with pytest.raises(NotFound):
        await store.revoke_token("ci", MOMENT)
    assert await store.active_token_count() == 1
    await store.create_token(token("ci", "d4"))  # a revoked token's name is free again
    # Oldest first; equal creation times fall back to the id.
    assert [(t.token_hash, t.name, t.revoked_at is None) for t in await store.list_tokens()] == [
        ("d1", "ci", False),
        ("d2", "ops", True),
        ("d4", "ci", True),
    ]


@pytest.mark.bolt
async def test_a_batch_writes_its_audit_entry_with_its_revision_or_not_at_all(
    store: Neo4jStore,
) -> None:
    entry = AuditEntry(MOMENT, "ci", "createPerson", ("a",), ("name",), detail={"rows": 1})
    result = await store.apply(WriteBatch(upsert_stakeholders=[person("a")], audit=entry))
    nothing = await store.apply(WriteBatch(delete_stakeholders=["ghost"], audit=entry))
    assert nothing.changes == []
    outside = await store.record_audit(AuditEntry(MOMENT, "ops", "export"))
    entries = await store.audit_entries()
    assert [(e.seq, e.operation, e.revision) for e in entries] == [
        (1, "createPerson", result.revision),
        (2, "export", None),
    ]
    assert entries[0] == replace(entry, seq=1, revision=result.revision, entity_count=1)
    assert outside.seq == 2
    assert [e.seq for e in await store.audit_entries(entity_id="a")] == [1]
    assert [e.seq for e in await store.audit_entries(after_seq=1)] == [2]


# --- faults: a server of their own, killed and restarted ----------------------------------------


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[BoltServer]]:
    """A private server, in a list so a test can swap in the restarted one."""
    if external_server() is not None:
        pytest.skip("fault tests kill the server: they run on a server started here only")
    holder = [start_bolt_server(tmp_path_factory.mktemp("neo4j-faults"))]
    try:
        yield holder
    finally:
        stop_bolt_server(holder[0])


def large_import(stakeholders: int, ties: int) -> WriteBatch:
    people = [person(f"p{n}", key=f"k{n}") for n in range(stakeholders)]
    return WriteBatch(
        upsert_stakeholders=people,
        upsert_ties=[
            # Each person knows the next few, no tie twice.
            Tie(
                f"t{n}",
                TieKind.KNOWS,
                f"p{n % stakeholders}",
                f"p{(n % stakeholders + 1 + n // stakeholders) % stakeholders}",
            )
            for n in range(ties)
        ],
    )


@pytest.mark.bolt
@pytest.mark.slow
@pytest.mark.parametrize("server_back_in_time", [False, True], ids=["gives-up", "retried"])
async def test_a_server_killed_during_a_large_import_leaves_all_of_it_or_none(
    own_server: list[BoltServer], server_back_in_time: bool
) -> None:
    """Killed mid-import, the server keeps nothing of the batch; the driver's retry, when the
    server is back within the retry time, then writes all of it exactly once."""
    wipe_database(own_server[0])
    store = store_on(own_server[0], max_retry_time=60.0 if server_back_in_time else 1.0)
    await store.open()
    try:
        before = await store.apply(WriteBatch(upsert_stakeholders=[person("before")]))
        importing = asyncio.create_task(store.apply(large_import(2_000, 20_000)))
        await asyncio.sleep(1.5)
        assert not importing.done(), "the import ended before the kill: make it larger"
        await asyncio.to_thread(kill_bolt_server, own_server[0])
        if server_back_in_time:
            own_server[0] = await asyncio.to_thread(restart_bolt_server, own_server[0])
            result = await importing
            assert result.revision == before.revision + 1
        else:
            with pytest.raises(StoreUnavailable):
                await importing
            own_server[0] = await asyncio.to_thread(restart_bolt_server, own_server[0])

        counts = await store.counts()  # the same store: the driver reconnects by itself
        changes = await store.changes_since(0)
        revisions = sorted({change.revision for change in changes})
        assert counts.revision == revisions[-1] == len(revisions)
        if server_back_in_time:
            assert counts.revision == before.revision + 1
            assert (counts.stakeholders, counts.ties) == (2_001, 20_000)
            assert len(changes) == 1 + 22_000
            assert len({change.entity_id for change in changes}) == len(changes)
        else:
            assert counts.revision == before.revision
            assert (counts.stakeholders, counts.ties) == (1, 0)
            assert len(changes) == 1
        after = await store.apply(WriteBatch(upsert_stakeholders=[person("after")]))
        assert after.revision == counts.revision + 1
    finally:
        await store.close()


@pytest.mark.bolt
@pytest.mark.slow
async def test_a_store_whose_server_is_down_fails_fast_and_recovers(
    own_server: list[BoltServer],
) -> None:
    wipe_database(own_server[0])
    store = store_on(own_server[0])
    await store.open()
    try:
        await store.apply(WriteBatch(upsert_stakeholders=[person("a")]))
        await asyncio.to_thread(kill_bolt_server, own_server[0])
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            await store.revision()
        with pytest.raises(StoreUnavailable):
            await store.apply(WriteBatch(upsert_stakeholders=[person("b")]))
        elapsed = time.monotonic() - started
        assert elapsed < 2 * (neo4j_store.DEFAULT_RETRY_TIME + 3), elapsed

        own_server[0] = await asyncio.to_thread(restart_bolt_server, own_server[0])
        assert await store.revision() == 1
        result = await store.apply(WriteBatch(upsert_stakeholders=[person("b")]))
        assert result.revision == 2
    finally:
        await store.close()


@pytest.mark.bolt
@pytest.mark.slow
async def test_opening_a_store_on_a_stopped_server_is_unavailable(
    own_server: list[BoltServer],
) -> None:
    await asyncio.to_thread(kill_bolt_server, own_server[0])
    try:
        store = store_on(own_server[0])
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as raised:
            await store.open()
        assert time.monotonic() - started < 10
        assert own_server[0].password not in str(raised.value)
    finally:
        own_server[0] = await asyncio.to_thread(restart_bolt_server, own_server[0])


# --- the graph model, and moving a database of the earlier model to it ------------------------

# A database as stakenet wrote it when stakeholders had a `kind` property only and each tie was
# a `:Tie` node between TIE_FROM and TIE_TO relationships, with that model's constraints.
EARLIER_MODEL = [
    "CREATE CONSTRAINT tie_id IF NOT EXISTS FOR (t:Tie) REQUIRE t.id IS UNIQUE",
    "CREATE CONSTRAINT tie_key IF NOT EXISTS FOR (t:Tie) REQUIRE t.key IS UNIQUE",
    """
    CREATE (:GraphMeta {id: 'graph', revision: 7, last_seq: 0})
    WITH 1 AS one
    UNWIND [
      {id: 'anna', kind: 'PERSON', name: 'Anna'}, {id: 'ben', kind: 'PERSON', name: 'Ben'},
      {id: 'cleo', kind: 'PERSON', name: 'Cleo'}, {id: 'acme', kind: 'COMPANY', name: 'Acme'},
      {id: 'oslo', kind: 'MUNICIPALITY', name: 'Oslo'}
    ] AS row
    CREATE (s:Stakeholder) SET s = row, s.name_folded = toLower(row.name), s.internal = false,
      s.tags = [], s.created_at = '2024-01-01T00:00:00.000000+00:00',
      s.updated_at = '2024-01-01T00:00:00.000000+00:00'
    """,
    """
    UNWIND [
      {id: 't1', kind: 'WORKS_FOR', source_id: 'anna', target_id: 'acme', key: 'hr-1',
       role: 'CTO', decision_role: 'DECISION_MAKER', strength: 0.9},
      {id: 't2', kind: 'WORKS_FOR', source_id: 'ben', target_id: 'acme', strength: 0.5},
      {id: 't3', kind: 'KNOWS', source_id: 'cleo', target_id: 'anna', strength: 0.7},
      {id: 't4', kind: 'LOCATED_IN', source_id: 'acme', target_id: 'oslo', strength: 0.5}
    ] AS row
    MATCH (source:Stakeholder {id: row.source_id}) MATCH (target:Stakeholder {id: row.target_id})
    CREATE (t:Tie) SET t = row, t.created_at = '2024-01-02T00:00:00.000000+00:00',
      t.updated_at = '2024-01-02T00:00:00.000000+00:00'
    CREATE (t)-[:TIE_FROM]->(source) CREATE (t)-[:TIE_TO]->(target)
    """,
]


def run_cypher(server: BoltServer, query: str) -> list[dict[str, object]]:
    with neo4j.GraphDatabase.driver(server.uri, auth=server.auth) as driver:
        records, _, _ = driver.execute_query(query, database_=server.database)
    return [record.data() for record in records]


@pytest.mark.bolt
async def test_a_token_stored_before_expiry_never_expires(
    store: Neo4jStore, bolt_server: BoltServer
) -> None:
    # The properties a token had before tokens could expire: no `expires_at`.
    run_cypher(
        bolt_server,
        "CREATE (:ApiToken {id: 't1', name: 'ops', role: 'admin', token_hash: 'digest-ops', "
        "created_at: '2024-06-03T10:15:30.000000+00:00', revoked_at: null})",
    )
    found = await store.token_by_digest("digest-ops")
    assert found is not None
    assert (found.name, found.expires_at) == ("ops", None)
    assert found.active_at(datetime(9999, 1, 1, tzinfo=UTC))
    assert await store.active_token_count() == 1


@pytest.mark.bolt
async def test_opening_moves_a_database_of_the_earlier_model_to_labels_and_typed_ties(
    bolt_server: BoltServer,
) -> None:
    wipe_database(bolt_server)
    for statement in EARLIER_MODEL:
        run_cypher(bolt_server, statement)
    # In batches of two entities a transaction, until none is left; then nothing more to move.
    async with (
        neo4j.AsyncGraphDatabase.driver(bolt_server.uri, auth=bolt_server.auth) as driver,
        driver.session(database=bolt_server.database) as session,
    ):
        assert await migrate_network(session, 30.0, batch=2) == 5 + 4
        assert await migrate_network(session, 30.0, batch=2) == 0
    assert run_cypher(bolt_server, "MATCH (m:GraphMeta) RETURN m.graph_model AS model") == [
        {"model": 2}
    ]
    # Opening the store drops the earlier model's constraints (and would move what was left).
    moved_store = store_on(bolt_server)
    await moved_store.open()
    try:
        assert run_cypher(bolt_server, "MATCH (t:Tie) RETURN count(t) AS n") == [{"n": 0}]
        employees = run_cypher(
            bolt_server,
            "MATCH (p:Person)-[w:WORKS_FOR]->(c:Company) "
            "RETURN p.name AS person, c.name AS company, w.role AS role ORDER BY person",
        )
        assert employees == [
            {"person": "Anna", "company": "Acme", "role": "CTO"},
            {"person": "Ben", "company": "Acme", "role": None},
        ]
        assert run_cypher(bolt_server, "MATCH (m:Stakeholder:Municipality) RETURN m.id AS id") == [
            {"id": "oslo"}
        ]
        [by_key] = await moved_store.get_ties_by_key(["hr-1"])
        assert by_key is not None and by_key.id == "t1" and by_key.kind is TieKind.WORKS_FOR
        known = await moved_store.ties_of(["anna"], [TieKind.KNOWS])
        assert [(t.id, t.source_id, t.target_id) for t in known] == [("t3", "cleo", "anna")]
        assert await moved_store.revision() == 7
        counts = await moved_store.counts()
        assert (counts.stakeholders, counts.ties) == (5, 4)
        constraints = {
            row["name"] for row in run_cypher(bolt_server, "SHOW CONSTRAINTS YIELD name")
        }
        assert not {"tie_id", "tie_key"} & constraints
    finally:
        await moved_store.close()


@pytest.mark.bolt
async def test_a_stakeholder_carries_its_kind_label_and_a_tie_its_kind_type(
    store: Neo4jStore, bolt_server: BoltServer
) -> None:
    company = Stakeholder("acme", StakeholderKind.COMPANY, "Acme")
    await store.apply(
        WriteBatch(
            upsert_stakeholders=[person("a"), person("b"), company],
            upsert_ties=[Tie("t", TieKind.WORKS_FOR, "a", "acme", key="k", role="CTO")],
        )
    )
    shape = "MATCH (s:Stakeholder) RETURN s.id AS id, labels(s) AS labels ORDER BY id"
    assert [(r["id"], sorted(r["labels"])) for r in run_cypher(bolt_server, shape)] == [
        ("a", ["Person", "Stakeholder"]),
        ("acme", ["Company", "Stakeholder"]),
        ("b", ["Person", "Stakeholder"]),
    ]
    # A kind change relabels; a tie that changes kind and ends is one relationship again,
    # with its id, key and creation time.
    [before] = await store.get_ties(["t"])
    assert before is not None
    await store.apply(
        WriteBatch(
            upsert_stakeholders=[replace(company, kind=StakeholderKind.ORGANIZATION)],
            upsert_ties=[Tie("t", TieKind.KNOWS, "b", "a", key="k")],
        )
    )
    [relabelled] = run_cypher(bolt_server, "MATCH (s {id: 'acme'}) RETURN labels(s) AS labels")
    assert sorted(relabelled["labels"]) == ["Organization", "Stakeholder"]  # type: ignore[arg-type]
    ties = run_cypher(
        bolt_server,
        "MATCH (s)-[t]->(e) RETURN s.id AS source, type(t) AS type, e.id AS target, "
        "t.id AS id, t.key AS key",
    )
    assert ties == [{"source": "b", "type": "KNOWS", "target": "a", "id": "t", "key": "k"}]
    [after] = await store.get_ties(["t"])
    assert after is not None and after.created_at == before.created_at
    assert after.kind is TieKind.KNOWS


@pytest.mark.bolt
async def test_a_tie_key_is_unique_across_tie_kinds(store: Neo4jStore) -> None:
    await store.apply(
        WriteBatch(
            upsert_stakeholders=[person("a"), person("b")],
            upsert_ties=[Tie("t1", TieKind.KNOWS, "a", "b", key="k")],
        )
    )
    with pytest.raises(Conflict):
        await store.apply(WriteBatch(upsert_ties=[Tie("t2", TieKind.ADVISES, "a", "b", key="k")]))
    assert [t.id for t in await store.ties_of(["a"])] == ["t1"]


def _plan_operators(bolt_server: BoltServer, query: str, params: dict[str, object]) -> list[str]:
    with (
        neo4j.GraphDatabase.driver(bolt_server.uri, auth=bolt_server.auth) as driver,
        driver.session(database=bolt_server.database) as session,
    ):
        summary = session.run("EXPLAIN " + query, params).consume()
    operators: list[str] = []
    pending = [summary.plan]
    while pending:
        step = pending.pop()
        operators.append(step["operatorType"].split("@")[0])
        pending.extend(step.get("children", []))
    return operators


@pytest.mark.bolt
@pytest.mark.parametrize(
    "query",
    [
        cypher.TIES_BY_ID,
        cypher.TIES_BY_KEY,
        cypher.TIE_KEY_OWNERS,
        cypher.STORED_TIES,
        cypher.UPDATE_TIES,
        cypher.CLEAR_TIE_KEYS,
        cypher.DELETE_TIES,
    ],
)
async def test_a_tie_is_found_by_id_or_key_by_index_seeks_never_a_scan(
    store: Neo4jStore, bolt_server: BoltServer, query: str
) -> None:
    params = {"values": ["t"], "ids": ["t"], "keys": ["k"], "rows": [{"id": "t"}]}
    operators = _plan_operators(bolt_server, query, params)
    # One unique-index seek per tie type (with a lock when the statement writes).
    seeks = [op for op in operators if op.startswith("DirectedRelationshipUniqueIndexSeek")]
    assert len(seeks) == len(TieKind)
    assert not [op for op in operators if "Scan" in op], operators


@pytest.mark.bolt
async def test_a_first_import_finds_the_ends_of_its_ties_by_element_id_never_a_scan(
    store: Neo4jStore, bolt_server: BoltServer
) -> None:
    ties = {tie_type: [] for tie_type in cypher.TIE_TYPES.values()}
    operators = _plan_operators(bolt_server, cypher.CREATE_TIES_OF_EVERY_KIND, ties)
    seeks = [op for op in operators if op.startswith("NodeByElementIdSeek")]
    assert len(seeks) == 2 * len(TieKind)  # the source and the target of each kind
    assert not [op for op in operators if "Scan" in op], operators
    operators = _plan_operators(bolt_server, cypher.CREATE_STAGED_INTERACTIONS, {"rows": []})
    assert [op for op in operators if op.startswith("NodeByElementIdSeek")] != []
    assert not [op for op in operators if "Scan" in op], operators


def _raw_count(bolt_server: BoltServer, query: str) -> int:
    """The single number `query` returns, read past the store."""
    with neo4j.GraphDatabase.driver(bolt_server.uri, auth=bolt_server.auth) as driver:
        records, _, _ = driver.execute_query(query, database_=bolt_server.database)
    return int(records[0][0])


STAGED_NODES = "MATCH (n) WHERE n:StagedStakeholder OR n:StagedInteraction RETURN count(n)"
ALL_RELATIONSHIPS = "MATCH ()-[r]->() RETURN count(r)"


def _first_import() -> list[WriteBatch]:
    """A first import in three batches: 3 people, 2 ties (one keyed), 1 interaction."""
    return [
        WriteBatch(upsert_stakeholders=[person("a", key="pa"), person("b"), person("c")]),
        WriteBatch(
            upsert_ties=[
                Tie("t1", TieKind.KNOWS, "a", "b", key="knows-ab"),
                Tie("t2", TieKind.REPORTS_TO, "c", "a"),
            ]
        ),
        WriteBatch(
            upsert_interactions=[
                Interaction(
                    "i1",
                    InteractionKind.MEETING,
                    datetime(2026, 5, 4, 9, tzinfo=UTC),
                    (Participant("a"), Participant("c")),
                )
            ]
        ),
    ]


@pytest.mark.bolt
async def test_a_tie_is_stored_without_its_kind_and_ends_which_reads_take_from_its_relationship(
    store: Neo4jStore, bolt_server: BoltServer
) -> None:
    # Through a first import, then through the general way (a tie updated, one created).
    async with store.bulk_write() as bulk:
        for batch in _first_import():
            await bulk.write(batch)
        await bulk.commit()
    await store.apply(
        WriteBatch(
            upsert_ties=[
                Tie("t1", TieKind.KNOWS, "a", "b", key="knows-ab", strength=0.5),
                Tie("t3", TieKind.FAMILY, "b", "c"),
            ]
        )
    )
    with neo4j.GraphDatabase.driver(bolt_server.uri, auth=bolt_server.auth) as driver:
        records, _, _ = driver.execute_query(
            "MATCH ()-[t]->() WHERE t.id IS NOT NULL RETURN t.id AS id, keys(t) AS keys",
            database_=bolt_server.database,
        )
    stored = {record["id"]: set(record["keys"]) for record in records}
    assert stored == {
        "t1": {"id", "key", "strength", "created_at", "updated_at"},
        "t2": {"id", "created_at", "updated_at"},
        "t3": {"id", "created_at", "updated_at"},
    }
    ties = sorted(
        (tie.id, tie.kind, tie.source_id, tie.target_id) for tie in (await store.load_all()).ties
    )
    assert ties == [
        ("t1", TieKind.KNOWS, "a", "b"),
        ("t2", TieKind.REPORTS_TO, "c", "a"),
        ("t3", TieKind.FAMILY, "b", "c"),
    ]
    assert [t.source_id for t in await store.get_ties(["t2"]) if t] == ["c"]
    assert sorted(t.id for t in await store.ties_of(["c"])) == ["t2", "t3"]
    # The identity of a keyless tie is its kind and ends, either way round for FAMILY.
    with pytest.raises(Conflict):
        await store.apply(WriteBatch(upsert_ties=[Tie("t4", TieKind.FAMILY, "c", "b")]))
    with pytest.raises(Conflict):
        await store.apply(WriteBatch(upsert_ties=[Tie("t5", TieKind.REPORTS_TO, "c", "a")]))
    await store.apply(WriteBatch(upsert_ties=[Tie("t6", TieKind.REPORTS_TO, "a", "c")]))
    assert (await store.counts()).ties == 4


def _records_with_every_field() -> WriteBatch:
    """Records with every field set, besides records with none of their optional ones."""
    created = datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    return WriteBatch(
        upsert_stakeholders=[
            person(
                "a", key="pa", internal=True, tags=("vip", "board"), notes="Met twice",
                created_at=created, title="CFO", email="a@example.com", phone="+46 1",
                seniority=Seniority.C_LEVEL,
            ),
            Stakeholder(
                "c", StakeholderKind.COMPANY, "Acme", industry="Steel", website="acme.test",
                registration_number="556-1", country="SE", city="Lund",
            ),
            Stakeholder(
                "m", StakeholderKind.MUNICIPALITY, "Lund", code="1281", region="Skåne",
                population=125_000,
            ),
            Stakeholder(
                "o", StakeholderKind.ORGANIZATION, "Union", category=OrganizationCategory.UNION
            ),
            person("b"),
        ],
        upsert_ties=[
            Tie(
                "t1", TieKind.WORKS_FOR, "a", "c", key="a-at-c", strength=0.75, role="CFO",
                since=date(2020, 1, 2), until=date(2027, 3, 4), confidence=0.5,
                evidence=Evidence.PUBLIC_RECORD, notes="Annual report",
                decision_role=DecisionRole.ECONOMIC_BUYER, department="Finance",
                context="Budget", share=12.5, created_at=created,
            ),
            Tie("t2", TieKind.KNOWS, "b", "a"),
        ],
        upsert_interactions=[
            Interaction(
                "i1", InteractionKind.MEETING, datetime(2026, 5, 4, 9, tzinfo=UTC),
                (Participant("a", acting_as="chair"), Participant("m"), Participant("b")),
                key="kick-off", sentiment=0.25, subject="Kick-off", summary="Agreed",
                outcome="Next step", notes="In person", created_at=created,
            ),
            Interaction(
                "i2", InteractionKind.CALL, datetime(2026, 5, 5, 9, tzinfo=UTC), ()
            ),
        ],
    )  # fmt: skip


def _stored_properties(bolt_server: BoltServer) -> dict[str, object]:
    """Every stored record by id: its labels or type, its ends, its properties but the time
    of its last update, and its participants."""
    with neo4j.GraphDatabase.driver(bolt_server.uri, auth=bolt_server.auth) as driver:
        nodes, _, _ = driver.execute_query(
            "MATCH (n) WHERE n:Stakeholder OR n:Interaction "
            "RETURN n.id AS id, labels(n) AS labels, properties(n) AS props, "
            "[(s)-[p:PARTICIPATED]->(n) | [s.id, properties(p)]] AS participants",
            database_=bolt_server.database,
        )
        ties, _, _ = driver.execute_query(
            "MATCH (s)-[t]->(e) WHERE t.id IS NOT NULL "
            "RETURN t.id AS id, type(t) AS type, s.id AS source, e.id AS target, "
            "properties(t) AS props",
            database_=bolt_server.database,
        )
    stored: dict[str, object] = {}
    for record in [*nodes, *ties]:
        data = record.data()
        assert data["props"].pop("updated_at")
        if "labels" in data:
            data["labels"] = sorted(data["labels"])
            data["participants"] = sorted(data["participants"], key=repr)
        stored[data.pop("id")] = data
    return stored


@pytest.mark.bolt
async def test_a_first_import_stores_every_field_as_the_general_way_writes_it(
    store: Neo4jStore, bolt_server: BoltServer
) -> None:
    # Its rows are lists of values, where a null sets nothing: a field left out stays out.
    batch = _records_with_every_field()
    async with store.bulk_write() as bulk:
        await bulk.write(batch)
        await bulk.commit()
    imported = _stored_properties(bolt_server)
    assert imported["a"] == {
        "labels": ["Person", "Stakeholder"],
        "props": {
            "id": "a", "kind": "PERSON", "name": "Person a", "name_folded": "person a",
            "key": "pa", "internal": True, "tags": ["vip", "board"], "notes": "Met twice",
            "created_at": "2025-03-04T05:06:07.891011+00:00", "title": "CFO",
            "email": "a@example.com", "phone": "+46 1", "seniority": "C_LEVEL",
        },
        "participants": [],
    }  # fmt: skip
    assert imported["t2"] == {
        "type": "KNOWS",
        "source": "b",
        "target": "a",
        "props": {"id": "t2", "created_at": imported["t2"]["props"]["created_at"]},  # type: ignore[index]
    }
    assert imported["i1"]["participants"] == [  # type: ignore[index]
        ["a", {"position": 0, "actingAs": "chair"}],
        ["b", {"position": 2}],
        ["m", {"position": 1}],
    ]
    # Reads give back the records written (those whose creation time was given).
    [a] = await store.get_stakeholders(["a"])
    [t1] = await store.get_ties(["t1"])
    [i1] = await store.get_interactions(["i1"])
    assert [a, t1, i1] == [
        replace(batch.upsert_stakeholders[0], updated_at=a.updated_at if a else None),
        replace(batch.upsert_ties[0], updated_at=t1.updated_at if t1 else None),
        replace(batch.upsert_interactions[0], updated_at=i1.updated_at if i1 else None),
    ]
    # The same records written again the general way (`SET n = map`) store the same.
    await store.apply(batch)
    assert _stored_properties(bolt_server) == imported


async def _until_staged(bolt_server: BoltServer) -> None:
    """Return once `_first_import` is staged: 4 nodes, 2 ties and 2 participants (its last
    parts may still be on their way when its last `write` returns)."""
    deadline = time.monotonic() + 30
    while (
        _raw_count(bolt_server, STAGED_NODES),
        _raw_count(bolt_server, ALL_RELATIONSHIPS),
    ) != (4, 4):
        assert time.monotonic() < deadline, "the import's parts did not commit"
        await asyncio.sleep(0.05)


@pytest.mark.bolt
async def test_a_first_import_commits_its_parts_as_it_goes_and_no_reader_sees_them(
    store: Neo4jStore, bolt_server: BoltServer
) -> None:
    reader = store_on(bolt_server)
    await reader.open()
    try:
        async with store.bulk_write() as bulk:
            for batch in _first_import():
                await bulk.write(batch)
            # Written past the bulk write's own transaction, as staged records ...
            await _until_staged(bolt_server)
            # ... which no read of another store sees, nor a follower of the change log.
            assert await reader.revision() == 0
            counts = await reader.counts()
            assert (counts.stakeholders, counts.ties, counts.interactions) == (0, 0, 0)
            data = await reader.load_all()
            assert (data.stakeholders, data.ties, data.interactions) == ([], [], [])
            assert await reader.get_stakeholders(["a"]) == [None]
            assert await reader.get_stakeholders_by_key(["pa"]) == [None]
            assert await reader.get_ties(["t1", "t2"]) == [None, None]
            assert await reader.get_ties_by_key(["knows-ab"]) == [None]
            assert await reader.get_interactions(["i1"]) == [None]
            assert await reader.ties_of(["a"]) == []
            assert await reader.changes_since(0) == []
            revision = await bulk.commit()
        assert revision == 1 == await reader.revision()
        assert _raw_count(bolt_server, STAGED_NODES) == 0
        counts = await reader.counts()
        assert (counts.stakeholders, counts.ties, counts.interactions) == (3, 2, 1)
        [knows] = await reader.get_ties_by_key(["knows-ab"])
        assert knows is not None and (knows.id, knows.source_id, knows.target_id) == (
            "t1",
            "a",
            "b",
        )
        assert {tie.id for tie in await reader.ties_of(["a"])} == {"t1", "t2"}
        [meeting] = await reader.get_interactions(["i1"])
        assert meeting is not None
        assert [p.stakeholder_id for p in meeting.participants] == ["a", "c"]
    finally:
        await reader.close()


def _hold_the_loop_until(bolt_server: BoltServer, query: str, count: int) -> None:
    """Return once `query` counts `count`, blocking the event loop meanwhile."""
    deadline = time.monotonic() + 30
    while _raw_count(bolt_server, query) != count:
        assert time.monotonic() < deadline, "the part waited for the event loop"
        time.sleep(0.05)


def _staging_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate() if "staged-part" in thread.name]


@pytest.mark.bolt
async def test_a_first_import_writes_its_parts_while_the_importer_does_not_await(
    store: Neo4jStore, bolt_server: BoltServer
) -> None:
    # An importer checks its next chunk without awaiting anything; the parts sent before go
    # on meanwhile, in threads of their own, and end with the bulk write.
    async with store.bulk_write() as bulk:
        first, ties, meeting = _first_import()
        await bulk.write(first)
        _hold_the_loop_until(bolt_server, STAGED_NODES, 3)
        await bulk.write(ties)
        _hold_the_loop_until(bolt_server, ALL_RELATIONSHIPS, 2)
        assert _staging_threads() == ["staged-part_0"]  # the first part's thread, idle again
        await bulk.write(meeting)
        assert await bulk.commit() == 1
    assert _staging_threads() == []
    counts = await store.counts()
    assert (counts.stakeholders, counts.ties, counts.interactions) == (3, 2, 1)


@pytest.mark.bolt
async def test_a_first_import_whose_last_batch_is_bad_removes_what_it_staged(
    store: Neo4jStore, bolt_server: BoltServer
) -> None:
    with pytest.raises(NotFound):
        async with store.bulk_write() as bulk:
            for batch in _first_import():
                await bulk.write(batch)
            await _until_staged(bolt_server)
            await bulk.write(WriteBatch(upsert_ties=[Tie("t9", TieKind.KNOWS, "a", "nobody")]))
    assert _raw_count(bolt_server, STAGED_NODES) == 0
    assert _raw_count(bolt_server, ALL_RELATIONSHIPS) == 0
    assert _raw_count(bolt_server, "MATCH (n) WHERE NOT n:GraphMeta RETURN count(n)") == 0
    assert await store.revision() == 0


@pytest.mark.bolt
async def test_the_next_write_removes_what_an_import_that_died_staged(
    store: Neo4jStore, bolt_server: BoltServer
) -> None:
    # What a killed import leaves: parts committed, their publishing transaction gone.
    with neo4j.GraphDatabase.driver(bolt_server.uri, auth=bolt_server.auth) as driver:
        driver.execute_query(
            "CREATE (a:StagedStakeholder {id: 'a', kind: 'PERSON', name: 'Left'}) "
            "CREATE (b:StagedStakeholder {id: 'b', kind: 'PERSON', name: 'Behind'}) "
            "CREATE (a)-[:KNOWS {id: 't-left', key: 'left'}]->(b) "
            "CREATE (a)-[:PARTICIPATED {position: 0}]->(:StagedInteraction {id: 'i-left'})",
            database_=bolt_server.database,
        )
    assert await store.get_ties_by_key(["left"]) == [None]
    assert (await store.counts()).ties == 0
    # The next write holds the revision's lock, which a live import would hold: it removes
    # them, and the tie's key is free again.
    result = await store.apply(
        WriteBatch(
            upsert_stakeholders=[person("a"), person("b")],
            upsert_ties=[Tie("t-new", TieKind.KNOWS, "a", "b", key="left")],
        )
    )
    assert result.revision == 1
    assert _raw_count(bolt_server, STAGED_NODES) == 0
    assert _raw_count(bolt_server, ALL_RELATIONSHIPS) == 1
    [tie] = await store.get_ties_by_key(["left"])
    assert tie is not None and tie.id == "t-new"


@pytest.mark.bolt
@pytest.mark.usefixtures("local_operator")
async def test_a_first_import_in_many_chunks_stores_each_tie_kind_as_its_type(
    store: Neo4jStore, bolt_server: BoltServer
) -> None:
    people = [{"key": f"p{n}", "kind": "PERSON", "name": f"P{n}"} for n in range(6)]
    companies = [{"key": f"c{n}", "kind": "COMPANY", "name": f"C{n}"} for n in range(2)]
    ties = [
        *({"source": f"p{n}", "target": f"c{n % 2}", "kind": "WORKS_FOR"} for n in range(5)),
        *({"source": f"p{n}", "target": f"p{n + 1}", "kind": "KNOWS"} for n in range(5)),
        {"source": "p2", "target": "p0", "kind": "REPORTS_TO"},
        {"source": "p3", "target": "p0", "kind": "REPORTS_TO", "key": "r-3"},
        {"source": "p0", "target": "c1", "kind": "BOARD_MEMBER_OF"},
        {"source": "c0", "target": "c1", "kind": "PARTNER_OF"},
    ]
    meeting = {"kind": "MEETING", "occurredAt": "2026-10-02T09:00:00Z", "participants": ["p0"]}
    # Chunks of three rows, so every section spans several batches, and ties of one kind
    # several of them.
    members = [
        Rows(section, start, rows[start : start + 3])
        for section, rows in (
            ("stakeholders", [*people, *companies]),
            ("ties", ties),
            ("interactions", [meeting, {**meeting, "participants": ["p1", "c0"]}]),
        )
        for start in range(0, len(rows), 3)
    ]
    summary = await import_members(store, members)
    assert (summary.stakeholders_created, summary.ties_created) == (8, 14)
    with (
        neo4j.GraphDatabase.driver(bolt_server.uri, auth=bolt_server.auth) as driver,
        driver.session(database=bolt_server.database) as session,
    ):
        by_type = {
            record["type"]: record["count"]
            for record in session.run("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS count")
        }
        labels = {
            record["labels"]: record["count"]
            for record in session.run(
                "MATCH (n) WHERE NOT n:GraphMeta AND NOT n:AuditEntry "
                "RETURN reduce(s = '', l IN labels(n) | s + ':' + l) AS labels, count(*) AS count"
            )
        }
    assert by_type == {
        "WORKS_FOR": 5,
        "KNOWS": 5,
        "REPORTS_TO": 2,
        "BOARD_MEMBER_OF": 1,
        "PARTNER_OF": 1,
        "PARTICIPATED": 3,
    }
    assert labels == {":Stakeholder:Person": 6, ":Stakeholder:Company": 2, ":Interaction": 2}
    [reports] = await store.get_ties_by_key(["r-3"])
    assert reports is not None
    [p3] = await store.get_stakeholders_by_key(["p3"])
    assert p3 is not None and (reports.kind, reports.source_id) == (TieKind.REPORTS_TO, p3.id)
    entries = await store.audit_entries()
    assert [(e.operation, e.revision, len(e.entity_ids)) for e in entries] == [
        ("importGraph", summary.revision, 8 + 14 + 2)
    ]
