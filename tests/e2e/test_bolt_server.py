"""The real server on the Bolt store: the same answers as on SQLite, and replicas in step."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from support.bolt_server import BoltServer, wipe_database
from support.scores import approximately
from support.server_process import ServerProcess, free_port
from support.server_process import start_server as start_sqlite_server

pytestmark = [pytest.mark.server, pytest.mark.bolt, pytest.mark.slow]

SCENARIO = """query($org: ID!, $person: ID!) {
  keyDecisionMakers(organizationId: $org, limit: 5) { rank score person { name } }
  introductionPaths(toId: $person, limit: 3) { strength steps { name } }
  relationshipMap(centerId: $person, depth: 2, limit: 60) { truncated nodes { distance stakeholder { name } } }
  networkStats { stakeholders ties interactions }
}"""


def start_bolt_process(server: BoltServer, workdir: Path, *, demo: bool) -> ServerProcess:
    port = free_port()
    url = (
        server.uri.replace("://", f"://{server.user}:{server.password}@", 1) + f"/{server.database}"
    )
    log_path = workdir / f"bolt-server-{port}.log"
    command = [
        sys.executable, "-m", "stakenet.cli", "serve", "--db", url, "--port", str(port),
        "--poll-interval", "0.2", "--log-level", "warning", "--rate-limit", "0",
        *(["--demo"] if demo else []),
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    handle = ServerProcess(process, port, log_path)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log_path.read_text()[-2000:])
        try:
            with urllib.request.urlopen(handle.base_url + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return handle
        except OSError:
            pass
        time.sleep(0.2)
    handle.kill()
    raise RuntimeError("the server on the Bolt store did not get ready")


def wait_for_analytics(server: ServerProcess) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        stats = server.graphql("{ networkStats { revision analyticsRevision } }")["data"]
        if stats["networkStats"]["analyticsRevision"] == stats["networkStats"]["revision"]:
            return
        time.sleep(0.2)
    raise AssertionError("analytics did not catch up")


def scenario(server: ServerProcess) -> dict[str, Any]:
    wait_for_analytics(server)
    ids = {}
    for key in ("c-nordhavn", "p-peter-moerch"):
        found = server.graphql("query($k: String!) { stakeholder(key: $k) { id } }", {"k": key})
        ids[key] = found["data"]["stakeholder"]["id"]
    body = server.graphql(
        SCENARIO, {"org": ids["c-nordhavn"], "person": ids["p-peter-moerch"]}, timeout=60
    )
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    # Node order inside a breadth-first ring follows names and ids; ids differ between stores.
    data["relationshipMap"]["nodes"] = sorted(
        (n["distance"], n["stakeholder"]["name"]) for n in data["relationshipMap"]["nodes"]
    )
    return data


@pytest.fixture
def clean_bolt(bolt_server: BoltServer) -> BoltServer:
    wipe_database(bolt_server)
    return bolt_server


def test_the_demo_scenario_answers_the_same_on_sqlite_and_on_bolt(
    clean_bolt: BoltServer, tmp_path: Path
) -> None:
    sqlite_server = start_sqlite_server(tmp_path / "stakenet.db", demo=True)
    try:
        on_sqlite = scenario(sqlite_server)
    finally:
        sqlite_server.stop()
    bolt_server = start_bolt_process(clean_bolt, tmp_path, demo=True)
    try:
        on_bolt = scenario(bolt_server)
    finally:
        bolt_server.stop()
    expected = approximately(on_sqlite)
    assert on_bolt["networkStats"] == expected["networkStats"]
    assert on_bolt["keyDecisionMakers"] == expected["keyDecisionMakers"]
    assert on_bolt["introductionPaths"] == expected["introductionPaths"]
    assert on_bolt["relationshipMap"] == expected["relationshipMap"]
    assert json.dumps(on_bolt, ensure_ascii=False).count("Peter Mørch") >= 2


def test_a_second_server_on_the_same_bolt_database_sees_the_first_ones_writes(
    clean_bolt: BoltServer, tmp_path: Path
) -> None:
    first = start_bolt_process(clean_bolt, tmp_path, demo=False)
    second = start_bolt_process(clean_bolt, tmp_path, demo=False)
    try:
        created = first.graphql(
            'mutation { createPerson(input: {name: "Replica Test", key: "r-1"}) { person { id } errors { message } } }'
        )
        assert created["data"]["createPerson"]["errors"] == []
        person = created["data"]["createPerson"]["person"]["id"]
        deadline = time.monotonic() + 2.0
        seen = None
        while time.monotonic() < deadline:
            body = second.graphql(
                "query($id: ID!) { relationshipMap(centerId: $id) { center { name } } }",
                {"id": person},
            )
            if body.get("data"):
                seen = body["data"]["relationshipMap"]["center"]["name"]
                break
            time.sleep(0.05)
        assert seen == "Replica Test"
    finally:
        first.stop()
        second.stop()


STARTER = """
import sys, time
from pathlib import Path
sys.path.insert(0, "tests")
from support.bolt_server import start_bolt_server
server = start_bolt_server(Path(sys.argv[1]))
print(server.pid, flush=True)
time.sleep(600)
"""


def test_the_test_neo4j_ends_with_the_process_that_started_it_even_killed(tmp_path: Path) -> None:
    starter = subprocess.Popen(
        [sys.executable, "-c", STARTER, str(tmp_path)],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert starter.stdout is not None
    with starter.stdout:
        line = starter.stdout.readline()
    assert line, "the starter ended before Neo4j was up"
    neo4j = int(line)
    starter.kill()  # SIGKILL: no atexit, no clean-up of its own
    starter.wait()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Path(f"/proc/{neo4j}").exists():
        stat = Path(f"/proc/{neo4j}/stat").read_text(errors="replace")
        if stat.rsplit(")", 1)[1].split()[0] == "Z":  # ended, not yet reaped by its new parent
            break
        time.sleep(0.2)
    else:
        assert not Path(f"/proc/{neo4j}").exists(), "Neo4j outlived the process that started it"
