"""The test infrastructure works: a Bolt server to test against, and the Cypher linter."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import neo4j
import neo4j.exceptions
import pytest

from .bolt_server import (
    BoltServer,
    kill_bolt_server,
    restart_bolt_server,
    server_config,
    start_bolt_server,
    stop_bolt_server,
)
from .cypher_lint import format_errors, lint_cypher


def _driver(server: BoltServer) -> neo4j.AsyncDriver:
    return neo4j.AsyncGraphDatabase.driver(server.uri, auth=server.auth)


async def _count(driver: neo4j.AsyncDriver, database: str, key: str) -> int:
    async def read(tx: neo4j.AsyncManagedTransaction) -> int:
        result = await tx.run("MATCH (n:SupportProbe {key: $key}) RETURN count(n) AS c", key=key)
        record = await result.single(strict=True)
        return int(record["c"])

    async with driver.session(database=database) as session:
        return await session.execute_read(read)


@pytest.mark.bolt
async def test_write_then_read_round_trips(bolt_server: BoltServer) -> None:
    key = uuid.uuid4().hex
    props = {"name": "Ada", "tags": ["x", "y"], "score": 1.5, "visits": 3}

    async def write(tx: neo4j.AsyncManagedTransaction) -> None:
        await tx.run("MERGE (n:SupportProbe {key: $key}) SET n += $props", key=key, props=props)

    async def read(tx: neo4j.AsyncManagedTransaction) -> dict[str, object]:
        result = await tx.run("MATCH (n:SupportProbe {key: $key}) RETURN n", key=key)
        record = await result.single(strict=True)
        return dict(record["n"])

    async with (
        _driver(bolt_server) as driver,
        driver.session(database=bolt_server.database) as session,
    ):
        await session.execute_write(write)
        stored = await session.execute_read(read)
        cleanup = await session.run("MATCH (n:SupportProbe {key: $key}) DETACH DELETE n", key=key)
        await cleanup.consume()
    assert stored == {"key": key, **props}


@pytest.mark.bolt
async def test_rolled_back_transaction_leaves_nothing(bolt_server: BoltServer) -> None:
    key = uuid.uuid4().hex
    async with _driver(bolt_server) as driver:
        async with driver.session(database=bolt_server.database) as session:
            tx = await session.begin_transaction()
            await tx.run("CREATE (:SupportProbe {key: $key})", key=key)
            await tx.rollback()
        assert await _count(driver, bolt_server.database, key) == 0


@pytest.mark.bolt
async def test_committed_data_survives_a_kill_and_restart(tmp_path: Path) -> None:
    server = start_bolt_server(tmp_path)
    try:
        key = uuid.uuid4().hex
        async with _driver(server) as driver:
            await driver.execute_query(
                "CREATE (:SupportProbe {key: $key})", key=key, database_=server.database
            )
        kill_bolt_server(server)
        async with _driver(server) as driver:
            with pytest.raises(neo4j.exceptions.ServiceUnavailable):
                await driver.verify_connectivity()
        server = restart_bolt_server(server)
        async with _driver(server) as driver:
            assert await _count(driver, server.database, key) == 1
    finally:
        stop_bolt_server(server)


def test_server_listens_on_loopback_only_and_asks_for_a_password(tmp_path: Path) -> None:
    config = server_config(tmp_path, bolt_port=7001)
    assert config["server.bolt.listen_address"] == "127.0.0.1:7001"
    assert config["dbms.security.auth_enabled"] == "true"
    assert config["server.directories.logs"] == str(tmp_path / "logs")
    assert not any(key.startswith(("server.http", "server.https")) for key in config)


def test_linter_flags_a_broken_statement() -> None:
    [result] = lint_cypher(["MATCH (p:Person {id: $id} RETURN p"])
    assert not result.ok
    assert result.errors[0].severity == "error"
    assert result.errors[0].line == 1


def test_linter_flags_an_unknown_function() -> None:
    [result] = lint_cypher(["MATCH (p:Person) RETURN no_such_function(p.name)"])
    assert [d.message for d in result.errors] and "no_such_function" in result.errors[0].message


def test_linter_accepts_valid_statements() -> None:
    statements = [
        "MERGE (p:Person {id: $id}) SET p += $props RETURN p",
        "CREATE CONSTRAINT person_id IF NOT EXISTS FOR (p:Person) REQUIRE p.id IS UNIQUE",
        "CREATE INDEX person_name IF NOT EXISTS FOR (p:Person) ON (p.name_folded)",
        "UNWIND $rows AS row MATCH (a {id: row.source}), (b {id: row.target}) "
        "MERGE (a)-[r:KNOWS {id: row.id}]->(b) SET r += row.props",
        "MATCH (n:Person) WHERE $tag IN n.tags AND toLower(n.name) CONTAINS $q "
        "RETURN {id: n.id, name: coalesce(n.name, '')} AS person "
        "ORDER BY person.id SKIP $skip LIMIT $limit",
        "MERGE (m:Meta {id: 'graph'}) ON CREATE SET m.revision = 0 "
        "SET m.revision = m.revision + 1 RETURN m.revision",
    ]
    results = lint_cypher(statements)
    assert [r.index for r in results] == list(range(len(statements)))
    assert [r.statement for r in results] == statements
    assert all(r.ok for r in results), format_errors(results)
    # Undefined-parameter diagnostics are dropped; a warning such as the cartesian
    # product one for the MATCH (a), (b) pattern is kept but is not an error.
    assert results[0].diagnostics == ()
    assert results[1].diagnostics == ()


def test_linter_with_no_statements() -> None:
    assert lint_cypher([]) == []


def test_the_launcher_is_one_module_the_benchmarks_import_from_the_repository_root() -> None:
    """`python -m benchmarks --bolt` imports the launcher as `tests.support.bolt_server`,
    from the root it runs in, with no path of its own added; the tests import the same file."""
    root = Path(__file__).resolve().parents[2]
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    found = subprocess.run(
        [sys.executable, "-c", "import tests.support.bolt_server as m; print(m.__file__)"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(found.stdout.strip()) == Path(__file__).with_name("bolt_server.py")
    for module in (root / "benchmarks").glob("*.py"):
        assert "sys.path" not in module.read_text("utf-8"), module.name
