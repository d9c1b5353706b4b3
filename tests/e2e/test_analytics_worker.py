"""Analytics computed outside the server: servers that follow one `stakenet analytics` worker's
snapshot directory, and a server whose worker is its own child process."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from stakenet.bootstrap import WORKER_NICENESS
from support.bolt_server import BoltServer, wipe_database
from support.scores import approximately
from support.server_process import (
    ServerProcess,
    child_pids,
    is_running,
    readiness,
    start_server,
    start_worker,
)

pytestmark = [pytest.mark.server, pytest.mark.slow]

ORGANISATIONS = "{ stakeholders(kind: COMPANY, first: 100) { edges { node { id name } } } }"
DECIDERS = """query($org: ID!) {
  keyDecisionMakers(organizationId: $org, limit: 5) { rank score person { name } }
  networkStats { revision analyticsRevision }
}"""
CREATE_PERSON = """mutation($name: String!) {
  createPerson(input: {name: $name, title: "Chief Executive Officer"}) {
    person { id } errors { message } } }"""
CREATE_TIE = """mutation($person: ID!, $org: ID!) {
  createTie(input: {sourceId: $person, targetId: $org, kind: WORKS_FOR,
                    decisionRole: DECISION_MAKER, strength: 1.0}) { tie { id } errors { message } } }"""
DEMO_QUESTIONS = """query($org: ID!, $person: ID!) {
  keyDecisionMakers(organizationId: $org, limit: 5) { rank score decisionRole person { name } }
  keyPersonRisks(organizationId: $org) { kind severity }
  introductionPaths(toId: $person, limit: 3) { strength steps { name } }
  influenceRanking(first: 10) { score stakeholder { name } }
  communities(minSize: 3) { members { name } }
  networkStats { stakeholders ties interactions revision analyticsRevision }
}"""


def caught_up(server: ServerProcess, revision: int | None = None) -> int:
    """Wait until the server's analytics are of its graph's revision (and at least
    `revision`); return that revision."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        stats = server.graphql("{ networkStats { revision analyticsRevision } }")["data"]
        current = stats["networkStats"]
        if current["analyticsRevision"] == current["revision"] and (
            revision is None or current["revision"] >= revision
        ):
            return int(current["revision"])
        time.sleep(0.1)
    raise AssertionError(f"analytics did not catch up: {current}")


def deciders(server: ServerProcess, org: str) -> tuple[list[str], int]:
    data = server.graphql(DECIDERS, {"org": org})["data"]
    names = [row["person"]["name"] for row in data["keyDecisionMakers"]]
    return names, data["networkStats"]["analyticsRevision"]


@pytest.fixture(params=["sqlite", pytest.param("bolt", marks=pytest.mark.bolt)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """A SQLite file, or the URL of the test Neo4j server's emptied database."""
    if request.param == "sqlite":
        return tmp_path / "shared.db"
    server: BoltServer = request.getfixturevalue("bolt_server")
    wipe_database(server)
    credentials = f"://{server.user}:{server.password}@"
    return server.uri.replace("://", credentials, 1) + f"/{server.database}"


def test_two_followers_answer_from_the_one_workers_snapshots(
    database: Path | str, tmp_path: Path
) -> None:
    snapshots = tmp_path / "snapshots"
    worker = start_worker(database, snapshots, tmp_path)
    # The worker first: two processes opening a fresh Neo4j database at once may deadlock
    # applying its schema.
    deadline = time.monotonic() + 120
    while not any(snapshots.glob("*.snapshot")):
        assert time.monotonic() < deadline and worker.process.poll() is None, worker.log()
        time.sleep(0.1)
    follow = ["--analytics", "follow", "--snapshot-dir", str(snapshots)]
    first = start_server(database, demo=True, extra=follow, log_dir=tmp_path, ready_within=180)
    second = start_server(database, extra=follow, log_dir=tmp_path, ready_within=180)
    try:
        revision = caught_up(first)
        assert caught_up(second, revision) == revision
        org = server_company(first)
        before, _ = deciders(second, org)
        assert "Quinn Newcomer" not in before

        person = first.graphql(CREATE_PERSON, {"name": "Quinn Newcomer"})["data"]
        person_id = person["createPerson"]["person"]["id"]
        tie = first.graphql(CREATE_TIE, {"person": person_id, "org": org})["data"]["createTie"]
        assert tie["errors"] == []

        written = caught_up(first, revision + 2)
        assert caught_up(second, written) == written
        after_first, revision_first = deciders(first, org)
        after_second, revision_second = deciders(second, org)
        assert revision_first == revision_second == written
        assert after_first == after_second and "Quinn Newcomer" in after_first

        # The worker computed every snapshot; the servers only adopted them.
        for server in (first, second):
            analytics = readiness(server)["analytics"]
            assert analytics["mode"] == "follow" and analytics["revision"] == written
            assert analytics["computed"] == 0 and analytics["adopted"] >= 1
        assert f"analytics snapshot of revision {written} written" in worker.log()
    finally:
        for server in (first, second):
            server.stop()
        worker.stop()
    assert worker.process.returncode == 0


def server_company(server: ServerProcess) -> str:
    """A demo company that has decision-makers."""
    for edge in server.graphql(ORGANISATIONS)["data"]["stakeholders"]["edges"]:
        names, _ = deciders(server, edge["node"]["id"])
        if names:
            return str(edge["node"]["id"])
    raise AssertionError("the demo network has no company with decision-makers")


def demo_answers(server: ServerProcess) -> dict[str, Any]:
    org = server_company(server)
    people = server.graphql(
        '{ stakeholders(search: "morch", first: 1) { edges { node { id } } } }'
    )["data"]["stakeholders"]["edges"]
    answers = server.graphql(DEMO_QUESTIONS, {"org": org, "person": people[0]["node"]["id"]})
    assert "errors" not in answers, answers
    data: dict[str, Any] = answers["data"]
    return data


def niceness(pid: int) -> int:
    """The nice value of process `pid` (the 19th field of /proc/PID/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[16])


def test_a_process_server_answers_as_a_thread_server_and_its_worker_ends_with_it(
    tmp_path: Path,
) -> None:
    database = tmp_path / "demo.db"
    threaded = start_server(database, demo=True, extra=["--analytics", "thread"])
    try:
        caught_up(threaded)
        expected = demo_answers(threaded)
        assert readiness(threaded)["analytics"]["computed"] >= 1
        assert child_pids(threaded.process.pid) == []
    finally:
        threaded.stop()

    server = start_server(database)  # --analytics process is the default
    try:
        caught_up(server)
        assert demo_answers(server) == approximately(expected)
        analytics = readiness(server)["analytics"]
        assert analytics["mode"] == "process" and analytics["computed"] == 0
        assert analytics["adopted"] >= 1
        children = child_pids(server.process.pid)
        assert len(children) == 1 and is_running(children[0])
        # The worker yields the cores to the server when both want them.
        assert niceness(children[0]) == niceness(server.process.pid) + WORKER_NICENESS > 0
        private = snapshot_dir_of(children[0])
        assert private.name.startswith("stakenet-") and any(private.glob("*.snapshot"))
    finally:
        server.kill()  # SIGKILL: the server cannot stop its worker; the worker must notice
    deadline = time.monotonic() + 10
    while (is_running(children[0]) or private.exists()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not is_running(children[0])
    # The server's own directory goes with it, however it ended.
    assert not private.exists()


PAST_QUESTIONS = """query($org: ID!, $person: ID!, $at: DateTime!) {
  keyDecisionMakers(organizationId: $org, limit: 5, asOf: $at) { rank score person { name } }
  influenceRanking(first: 10, asOf: $at) { score stakeholder { name } }
  relationshipMap(centerId: $person, depth: 2, limit: 40, asOf: $at) {
    truncated asOf nodes { distance influence stakeholder { name } } edges { kind strength } }
}"""


def past_answers(server: ServerProcess, at: str) -> dict[str, Any]:
    org = server_company(server)
    person = server.graphql(
        '{ stakeholders(search: "morch", first: 1) { edges { node { id } } } }'
    )["data"]["stakeholders"]["edges"][0]["node"]["id"]
    answers = server.graphql(PAST_QUESTIONS, {"org": org, "person": person, "at": at})
    assert "errors" not in answers, answers
    data: dict[str, Any] = answers["data"]
    return data


def test_a_process_server_has_its_worker_compute_the_past_and_answers_as_a_thread_server(
    database: Path | str, tmp_path: Path
) -> None:
    """The analytics of a past instant are a whole snapshot computed again: a process server
    leaves that to its worker, as it does its current snapshots, and answers the same."""
    at = "2025-09-01T00:00:00+00:00"
    threaded = start_server(
        database, demo=True, extra=["--analytics", "thread"], log_dir=tmp_path, ready_within=180
    )
    try:
        caught_up(threaded)
        expected = past_answers(threaded, at)
        assert readiness(threaded)["analytics"]["past_adopted"] == 0
    finally:
        threaded.stop()
    assert len(expected["relationshipMap"]["nodes"]) > 5
    assert expected["relationshipMap"]["asOf"] == at

    server = start_server(database, log_dir=tmp_path, ready_within=180)
    try:
        caught_up(server)
        assert past_answers(server, at) == approximately(expected)
        assert readiness(server)["analytics"]["past_adopted"] == 1
        # Asked again, the kept analytics answer: the worker is not asked twice.
        assert past_answers(server, at) == approximately(expected)
        assert readiness(server)["analytics"]["past_adopted"] == 1
        (worker,) = child_pids(server.process.pid)
        # The server removed the file it loaded; the worker's directory of answers is empty.
        (answers,) = snapshot_dir_of(worker).glob(".past-*")
        assert list(answers.iterdir()) == []
    finally:
        server.stop()
    assert "Traceback" not in server.log_path.read_text()

    # A follower asks a worker of its own that computes only the past: the followed directory
    # is the other worker's, perhaps read-only here.
    snapshots = tmp_path / "snapshots"
    worker_of_all = start_worker(database, snapshots, tmp_path)
    deadline = time.monotonic() + 60
    while not any(snapshots.glob("*.snapshot")):
        assert time.monotonic() < deadline, worker_of_all.log()
        time.sleep(0.1)
    follower = start_server(
        database,
        extra=["--analytics", "follow", "--snapshot-dir", str(snapshots)],
        log_dir=tmp_path,
        ready_within=180,
    )
    try:
        caught_up(follower)
        assert past_answers(follower, at) == approximately(expected)
        analytics = readiness(follower)["analytics"]
        assert analytics["computed"] == 0 and analytics["past_adopted"] == 1
        (past_worker,) = child_pids(follower.process.pid)
        command = Path(f"/proc/{past_worker}/cmdline").read_bytes().split(b"\0")
        assert b"--past-only" in command
        assert niceness(past_worker) == niceness(follower.process.pid) + WORKER_NICENESS
        assert not any(snapshots.glob(".past-*"))
    finally:
        follower.stop()
        worker_of_all.stop()
    assert not is_running(past_worker)


def snapshot_dir_of(worker: int) -> Path:
    """The --snapshot-dir on a running worker's command line."""
    arguments = Path(f"/proc/{worker}/cmdline").read_bytes().decode().split("\0")
    return Path(arguments[arguments.index("--snapshot-dir") + 1])


def test_a_process_server_stopped_removes_its_directory_and_keeps_a_given_one(
    tmp_path: Path,
) -> None:
    server = start_server(tmp_path / "s.db")
    given = tmp_path / "given"
    kept = start_server(tmp_path / "s.db", extra=["--snapshot-dir", str(given)])
    try:
        (worker,) = child_pids(server.process.pid)
        private = snapshot_dir_of(worker)
        assert any(private.glob("*.snapshot")) and any(given.glob("*.snapshot"))
    finally:
        server.stop()
        kept.stop()
    assert not private.exists() and any(given.glob("*.snapshot"))
    for stopped in (server, kept):
        assert "Traceback" not in stopped.log_path.read_text()


def test_a_crashed_worker_is_started_again(tmp_path: Path) -> None:
    server = start_server(tmp_path / "demo.db", demo=True)
    try:
        revision = caught_up(server)
        (crashed,) = child_pids(server.process.pid)
        os.kill(crashed, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            children = [c for c in child_pids(server.process.pid) if c != crashed]
            if children and is_running(children[0]):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the worker was not started again")
        # The new worker computes the next write's analytics.
        server.graphql(CREATE_PERSON, {"name": "After The Crash"})
        assert caught_up(server, revision + 1) == revision + 1
    finally:
        server.stop()
    assert "exited with code -9; restarting it" in server.log_path.read_text()


def test_servers_on_a_database_restored_from_a_backup_answer_from_its_graph(
    tmp_path: Path,
) -> None:
    database, backup = tmp_path / "s.db", tmp_path / "backup.db"
    snapshots = tmp_path / "snapshots"
    follow = ["--analytics", "follow", "--snapshot-dir", str(snapshots)]
    worker = start_worker(database, snapshots, tmp_path)
    server = start_server(database, extra=follow, ready_within=120)
    try:
        for number in range(1, 10):
            server.graphql(CREATE_PERSON, {"name": f"Person {number}"})
            if number == 3:
                assert caught_up(server, 3) == 3
                with sqlite3.connect(database) as source, sqlite3.connect(backup) as copy:
                    source.backup(copy)
        assert caught_up(server, 9) == 9
    finally:
        server.stop()
        worker.stop()
    written = sorted(int(path.name.split("-")[0]) for path in snapshots.glob("*.snapshot"))
    lost = [revision for revision in written if revision > 3]
    assert lost[-1] == 9

    for leftover in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(backup, database)
    worker = start_worker(database, snapshots, tmp_path)
    server = start_server(database, extra=follow, ready_within=120)
    try:
        ready = readiness(server)
        assert ready["revision"] == 3 and ready["analytics"]["revision"] == 3
        stats = server.graphql("{ networkStats { stakeholders analyticsRevision } }")["data"]
        assert stats["networkStats"] == {"stakeholders": 3, "analyticsRevision": 3}
        assert all(int(path.name.split("-")[0]) <= 3 for path in snapshots.glob("*.snapshot"))
    finally:
        server.stop()
        worker.stop()
    assert (
        f"removed the snapshot files of revisions {', '.join(map(str, lost))} from "
        f"{snapshots}: the database is at revision 3 (restored from a backup?)"
    ) in worker.log()
