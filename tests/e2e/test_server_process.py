"""The real server process: durability across kill -9, and replicas on one database file."""

from __future__ import annotations

import http.client
import random
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from support.server_process import ServerProcess, start_server

pytestmark = pytest.mark.server

CREATE = """mutation($name: String!, $key: String!) {
  createPerson(input: {name: $name, key: $key}) { person { id } errors { message } } }"""
COUNT = "{ networkStats { stakeholders revision } }"


def create(server: ServerProcess, index: int) -> str:
    body = server.graphql(CREATE, {"name": f"Person {index}", "key": f"k-{index}"})
    assert body["data"]["createPerson"]["errors"] == []
    person_id: str = body["data"]["createPerson"]["person"]["id"]
    return person_id


KILL_CYCLES = 20  # the security issue asks for at least 20


@pytest.mark.slow
def test_acknowledged_writes_survive_kill_9_during_a_stream_of_writes(tmp_path: Path) -> None:
    """Kill the server at a random moment while a client writes; nothing acknowledged is lost."""
    database = tmp_path / "stakenet.db"
    acknowledged: list[int] = []
    chooser = random.Random(7)
    next_index = 0
    for _ in range(KILL_CYCLES):
        server = start_server(database)
        stop = threading.Event()

        def write_until_killed(
            server: ServerProcess = server, stop: threading.Event = stop
        ) -> None:
            nonlocal next_index
            while not stop.is_set():
                index = next_index
                next_index += 1
                try:
                    create(server, index)
                except (OSError, http.client.HTTPException, KeyError, TypeError):
                    return  # the server died mid-request: this write was never acknowledged
                acknowledged.append(index)

        writer = threading.Thread(target=write_until_killed)
        writer.start()
        time.sleep(chooser.uniform(0.05, 0.6))
        server.kill()
        stop.set()
        writer.join(timeout=15)
        with sqlite3.connect(database) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert len(acknowledged) > KILL_CYCLES  # the stream really wrote between the kills
    server = start_server(database)
    try:
        keys = server.graphql("{ stakeholders(first: 1) { totalCount } }")
        stored = keys["data"]["stakeholders"]["totalCount"]
        for i in acknowledged:
            found = server.graphql(
                "query($k: String!) { stakeholder(key: $k) { name } }", {"k": f"k-{i}"}
            )
            assert found["data"]["stakeholder"] == {"name": f"Person {i}"}, f"write {i} was lost"
        # At most one write per kill was committed without its answer reaching the client.
        assert len(acknowledged) <= stored <= len(acknowledged) + KILL_CYCLES
    finally:
        server.stop()


def test_a_write_on_one_server_reaches_the_other_servers_map_within_two_seconds(
    tmp_path: Path,
) -> None:
    database = tmp_path / "stakenet.db"
    first = start_server(database)
    second = start_server(database)
    try:
        anna, bo = create(first, 1), create(first, 2)
        tie = first.graphql(
            """mutation($a: ID!, $b: ID!) { createTie(input: {sourceId: $a, targetId: $b, kind: KNOWS, strength: 0.8}) { errors { message } } }""",
            {"a": anna, "b": bo},
        )
        assert tie["data"]["createTie"]["errors"] == []
        written_at = time.monotonic()
        names: set[str] = set()
        while time.monotonic() - written_at < 2.0:
            body = second.graphql(
                "query($id: ID!) { relationshipMap(centerId: $id) { nodes { stakeholder { name } } } }",
                {"id": anna},
            )
            if body.get("data"):
                names = {n["stakeholder"]["name"] for n in body["data"]["relationshipMap"]["nodes"]}
                if names == {"Person 1", "Person 2"}:
                    break
            time.sleep(0.05)
        assert names == {"Person 1", "Person 2"}, "the second server did not see the write in 2 s"
    finally:
        first.stop()
        second.stop()


def test_a_server_set_to_keep_n_revisions_prunes_its_change_log_on_schedule(
    tmp_path: Path,
) -> None:
    database = tmp_path / "stakenet.db"
    server = start_server(database, extra=["--keep-revisions", "2", "--prune-interval", "0.2"])
    try:
        for index in range(5):
            create(server, index)
        deadline = time.monotonic() + 10
        while True:
            with sqlite3.connect(database) as connection:
                [horizon] = connection.execute(
                    "SELECT coalesce(max(value), 0) FROM meta WHERE name = 'log_horizon'"
                ).fetchone()
                kept = [row[0] for row in connection.execute("SELECT revision FROM change_sets")]
            if horizon == 3 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert (horizon, sorted(kept)) == (3, [4, 5])
        # The server goes on answering and writing as before.
        create(server, 5)
        assert server.graphql(COUNT)["data"]["networkStats"] == {"stakeholders": 6, "revision": 6}
    finally:
        server.stop()


def test_serve_says_where_the_explorer_and_the_api_are(tmp_path: Path) -> None:
    server = start_server(tmp_path / "s.db")
    try:
        lines = server.log_path.read_text().splitlines()
    finally:
        server.stop()
    url = f"http://127.0.0.1:{server.port}"
    assert f"stakenet serving the explorer at {url}/ and GraphQL at {url}/graphql" in lines
