"""The real `stakenet import` process: killed while it streams a document into SQLite, it leaves
nothing behind, and the database takes the same import afterwards; a server's mutation that
waits behind it is answered with its outcome, never "stopped". Killed while it writes into
Neo4j, no reader sees what it wrote, and the next import removes it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import neo4j
import pytest

from stakenet.demo.synthetic import write as write_network
from stakenet.store.sqlite import SQLiteStore
from support.bolt_server import BoltServer, wipe_database
from support.server_process import start_server

pytestmark = pytest.mark.server

TIES = 60_000


def import_command(database: Path, document: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "stakenet.cli",
        "import",
        "--db",
        f"sqlite:///{database}",
        str(document),
    ]


def write_locked(database: Path) -> bool:
    """Whether another connection holds the database's write lock (checked without waiting)."""
    if not database.exists():
        return False
    with contextlib.closing(sqlite3.connect(database, timeout=0)) as connection:
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        connection.execute("ROLLBACK")
        # Only the import's bulk write holds the lock long; migrations come before it.
        return False


def wait_until_the_import_writes(
    database: Path, importing: subprocess.Popen[Any], errors: Path | None = None
) -> None:
    """Return once the import's writer process holds the database's write lock, as it does
    from the first chunk to the commit; `errors` is where the import's standard error goes,
    shown if it ends before. (The import's migrations take the lock for a moment before its
    writer process starts.)"""
    deadline = time.monotonic() + 120
    while not (writers_of(database) and write_locked(database)):
        if importing.poll() is not None:
            said = errors.read_text() if errors is not None else ""
            raise AssertionError(f"the import ended before it took the write lock: {said}")
        assert time.monotonic() < deadline, "the import never began to write"
        time.sleep(0.01)


def writers_of(database: Path) -> list[int]:
    """The bulk writer processes running on `database`, found by their command lines."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            arguments = cmdline.read_bytes().split(b"\0")
            if (
                b"stakenet.store.sqlite.writer_main" in arguments
                and str(database).encode() in arguments
            ):
                found.append(int(cmdline.parent.name))
    return found


def counts(database: Path) -> tuple[int, ...]:
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT (SELECT COUNT(*) FROM stakeholders), (SELECT COUNT(*) FROM ties), "
            "(SELECT COUNT(*) FROM interactions), "
            "(SELECT value FROM meta WHERE name = 'revision'), "
            "(SELECT COUNT(*) FROM change_sets)"
        ).fetchone()
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    return tuple(int(value) for value in row)


def schema_of(database: Path) -> list[tuple[str, str, str | None]]:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        listed = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        return connection.execute(listed).fetchall()


def new_store_schema(database: Path) -> list[tuple[str, str, str | None]]:
    """The schema of a database the store has just made."""

    async def make() -> None:
        store = SQLiteStore(str(database))
        await store.open()
        await store.close()

    asyncio.run(make())
    return schema_of(database)


@pytest.mark.slow
def test_an_import_killed_while_it_writes_leaves_nothing_and_can_run_again(
    tmp_path: Path,
) -> None:
    document = write_network(TIES, tmp_path)
    database = tmp_path / "stakenet.db"
    errors = tmp_path / "import-errors.txt"
    with errors.open("w") as error_file:
        importing = subprocess.Popen(
            import_command(database, document), stdout=subprocess.DEVNULL, stderr=error_file
        )
    try:
        # The import holds the write lock from its first chunk to its commit: kill it as soon
        # as its writer process took the lock.
        wait_until_the_import_writes(database, importing, errors)
        importing.send_signal(signal.SIGKILL)
    finally:
        importing.wait(timeout=30)
    assert importing.returncode == -signal.SIGKILL
    # The import's writer process reads the end of its requests and rolls back.
    deadline = time.monotonic() + 60
    while writers_of(database):
        assert time.monotonic() < deadline, "the import's writer outlived it"
        time.sleep(0.05)
    assert counts(database) == (0, 0, 0, 0, 0)
    # The indexes the load dropped until its rows were in are all there again.
    assert schema_of(database) == new_store_schema(tmp_path / "new.db")

    again = subprocess.run(
        import_command(database, document), capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr
    stakeholders, ties, interactions, revision, change_sets = counts(database)
    assert (ties, revision) == (TIES, 1)
    assert stakeholders > 0 and interactions > 0
    # A first import keeps no copy in the change log: its revision is the log's horizon.
    with sqlite3.connect(database) as connection:
        horizon = connection.execute("SELECT value FROM meta WHERE name = 'log_horizon'")
        assert (change_sets, horizon.fetchone()) == (0, (1,))
        # Written without SQLite's foreign key checks, every reference holds.
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.mark.slow
def test_an_import_interrupted_with_ctrl_c_says_so_and_leaves_nothing(tmp_path: Path) -> None:
    document = write_network(TIES, tmp_path)
    database = tmp_path / "stakenet.db"
    # In a session of its own, as on a terminal: Ctrl-C reaches the whole process group. A
    # shell starts it with Ctrl-C at its default; a process inherits an ignored one, and a
    # test run may have it ignored, so the import starts with it restored.
    ignored = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        importing = subprocess.Popen(
            import_command(database, document),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    finally:
        signal.signal(signal.SIGINT, ignored)
    try:
        wait_until_the_import_writes(database, importing)
        # Stopped at once, importer and writer alike (as Ctrl-Z stops a terminal's process
        # group), the import cannot reach its commit before Ctrl-C, however fast it is and
        # however slow this test: the signal waits for them to go on. (Stopping the importer
        # alone let a writer with every chunk already sent commit them meanwhile.)
        os.killpg(importing.pid, signal.SIGSTOP)
        os.killpg(importing.pid, signal.SIGINT)
        os.killpg(importing.pid, signal.SIGCONT)
        _, errors = importing.communicate(timeout=60)
    finally:
        if importing.poll() is None:  # its writer too, which may be stopped
            with contextlib.suppress(ProcessLookupError):
                os.killpg(importing.pid, signal.SIGKILL)
    assert importing.returncode == 130
    assert (
        errors.strip().splitlines()[-1]
        == "stakenet: interrupted; nothing of the import was written."
    )
    assert "Traceback" not in errors
    deadline = time.monotonic() + 60
    while writers_of(database):
        assert time.monotonic() < deadline, "the import's writer outlived it"
        time.sleep(0.05)
    assert counts(database) == (0, 0, 0, 0, 0)


CREATE_PERSON = """mutation($key: String!) {
  createPerson(input: {name: "Written during an import", key: $key}) {
    person { id } errors { message code } } }"""
BY_KEY = "query($key: String!) { stakeholder(key: $key) { id } }"


@pytest.mark.slow
def test_a_mutation_waiting_behind_an_import_past_the_deadline_gets_its_outcome(
    tmp_path: Path,
) -> None:
    document = write_network(TIES, tmp_path)
    database = tmp_path / "stakenet.db"
    server = start_server(database, extra=["--execution-deadline", "1"])
    importing = subprocess.Popen(
        import_command(database, document),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: importer and writer, stopped together
    )
    try:
        wait_until_the_import_writes(database, importing)
        # Stopped while it holds the lock, the import keeps the mutation waiting past its
        # deadline, however fast it would otherwise finish.
        os.killpg(importing.pid, signal.SIGSTOP)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            asked_at = time.monotonic()
            asked = pool.submit(
                server.graphql, CREATE_PERSON, {"key": "p-during-import"}, timeout=60
            )
            time.sleep(1.5)
            assert not asked.done(), "the mutation did not wait for the import's lock"
            os.killpg(importing.pid, signal.SIGCONT)
            body = asked.result()
        waited = time.monotonic() - asked_at
        _, errors = importing.communicate(timeout=300)
        assert importing.returncode == 0, errors
        assert waited > 1.5
        assert "errors" not in body, body
        payload = body["data"]["createPerson"]
        stored = server.graphql(BY_KEY, {"key": "p-during-import"})["data"]["stakeholder"]
        if payload["errors"]:
            # The store gave up waiting for the lock (its busy timeout) and wrote nothing.
            assert [error["code"] for error in payload["errors"]] == ["STORE_UNAVAILABLE"]
            assert stored is None
        else:
            assert stored == {"id": payload["person"]["id"]}
    finally:
        if importing.poll() is None:  # its writer too, which may be stopped
            with contextlib.suppress(ProcessLookupError):
                os.killpg(importing.pid, signal.SIGKILL)
        server.stop()


BOLT_TIES = 20_000


def bolt_url(server: BoltServer) -> str:
    address = server.uri.replace("://", f"://{server.user}:{server.password}@", 1)
    return f"{address}/{server.database}"


def bolt_count(server: BoltServer, query: str) -> int:
    with neo4j.GraphDatabase.driver(server.uri, auth=server.auth) as driver:
        records, _, _ = driver.execute_query(query, database_=server.database)
    return int(records[0][0])


STAGED = "MATCH (n) WHERE n:StagedStakeholder OR n:StagedInteraction RETURN count(n)"
NETWORK = (
    "MATCH (m:GraphMeta {id: 'graph'}) "
    "RETURN [COUNT { (:Stakeholder) }, COUNT { (:Stakeholder)-[]->(:Stakeholder) }, "
    "COUNT { (:Interaction) }, m.revision]"
)


@pytest.mark.slow
@pytest.mark.bolt
def test_an_import_into_neo4j_killed_while_it_writes_shows_nothing_and_its_parts_go(
    tmp_path: Path, bolt_server: BoltServer
) -> None:
    wipe_database(bolt_server)
    document = write_network(BOLT_TIES, tmp_path)
    command = [sys.executable, "-m", "stakenet.cli", "import", "--db", bolt_url(bolt_server)]
    importing = subprocess.Popen(
        [*command, str(document)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        # Killed once it committed parts of the network, before it published them.
        deadline = time.monotonic() + 180
        while bolt_count(bolt_server, STAGED) == 0:
            assert importing.poll() is None, "the import ended before it staged a part"
            assert time.monotonic() < deadline, "the import never staged a part"
            time.sleep(0.05)
        importing.send_signal(signal.SIGKILL)
    finally:
        importing.wait(timeout=30)
    assert importing.returncode == -signal.SIGKILL
    # Its parts are left behind, and no reader sees them.
    assert bolt_count(bolt_server, STAGED) > 0
    with neo4j.GraphDatabase.driver(bolt_server.uri, auth=bolt_server.auth) as driver:
        records, _, _ = driver.execute_query(NETWORK, database_=bolt_server.database)
    assert records[0][0] == [0, 0, 0, 0]

    # The next import removes them and stores the document whole.
    again = subprocess.run([*command, str(document)], capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert bolt_count(bolt_server, STAGED) == 0
    with neo4j.GraphDatabase.driver(bolt_server.uri, auth=bolt_server.auth) as driver:
        records, _, _ = driver.execute_query(NETWORK, database_=bolt_server.database)
    stakeholders, ties, interactions, revision = records[0][0]
    assert (ties, revision) == (BOLT_TIES, 1)
    assert stakeholders > 0 and interactions > 0
