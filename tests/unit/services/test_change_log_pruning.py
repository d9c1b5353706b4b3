"""Pruning the change log: the command, and a replica behind it that reads the whole network again,
on a real SQLite file."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

import pytest

from stakenet.cli import main as cli
from stakenet.domain.errors import ChangeLogPruned
from stakenet.domain.model import Stakeholder, StakeholderKind
from stakenet.services.network import NetworkService
from stakenet.store.port import WriteBatch
from stakenet.store.sqlite import SQLiteStore


def person(stakeholder_id: str) -> Stakeholder:
    return Stakeholder(stakeholder_id, StakeholderKind.PERSON, f"Person {stakeholder_id}")


async def test_a_replica_behind_the_pruned_log_reads_the_network_again_and_says_so(
    replicas: tuple[NetworkService, NetworkService],
    follower_notices: list[tuple[int, set[str]]],
) -> None:
    writer, follower = replicas
    for stakeholder_id in ("p1", "p2"):
        await writer.store.apply(WriteBatch(upsert_stakeholders=[person(stakeholder_id)]))
    assert await follower.sync() == 2
    assert follower_notices == [(2, {"p1", "p2"})]
    # Then the follower falls behind what the log keeps.
    await writer.store.apply(WriteBatch(upsert_stakeholders=[person("p3")]))
    await writer.store.apply(WriteBatch(delete_stakeholders=["p2"]))
    assert await writer.store.prune_change_log(1) == 3

    assert await follower.sync() == 4
    assert follower.view.stakeholder_ids() == {"p1", "p3"}
    # One notice for the whole network, the stakeholder gone since included.
    assert follower_notices[1:] == [(4, {"p1", "p2", "p3"})]

    # Once caught up, it follows the log change by change again.
    await writer.store.apply(WriteBatch(upsert_stakeholders=[person("p4")]))
    assert await follower.sync() == 5
    assert follower_notices[2:] == [(5, {"p4"})]
    assert follower.view.stakeholder_ids() == {"p1", "p3", "p4"}


async def test_the_prune_command_keeps_the_newest_revisions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "graph.db"
    url = f"sqlite:///{database}"
    for name in ("Anna", "Bo", "Cy"):
        document = tmp_path / f"{name}.json"
        document.write_text(
            json.dumps({"stakeholders": [{"key": name, "kind": "PERSON", "name": name}]}),
            encoding="utf-8",
        )
        assert await asyncio.to_thread(cli, ["import", "--db", url, str(document)]) == 0
    capsys.readouterr()
    assert await asyncio.to_thread(cli, ["log", "prune", "--keep-revisions", "1", "--db", url]) == 0
    assert capsys.readouterr().out.startswith(
        "The change log keeps the changes after revision 2 (the graph is at revision 3)"
    )
    store = SQLiteStore(str(database))
    await store.open()
    try:
        with pytest.raises(ChangeLogPruned):
            await store.changes_since(1)
        assert [change.revision for change in await store.changes_since(2)] == [3]
    finally:
        await store.close()
    with pytest.raises(SystemExit):
        cli(["log", "prune", "--keep-revisions", "-1", "--db", url])


async def test_a_server_set_to_keep_n_revisions_prunes_at_start_and_then_on_schedule(
    replicas: tuple[NetworkService, NetworkService],
) -> None:
    writer, follower = replicas
    for stakeholder_id in ("p1", "p2", "p3"):
        await writer.store.apply(WriteBatch(upsert_stakeholders=[person(stakeholder_id)]))
    assert await follower.sync() == 3

    async def horizon_reaches(revision: int) -> None:
        while True:
            try:
                await writer.store.changes_since(revision - 1)
            except ChangeLogPruned as pruned:
                if pruned.horizon >= revision:
                    return
            await asyncio.sleep(0.01)

    pruner = asyncio.create_task(
        writer.prune_change_log_periodically(keep_revisions=1, interval=0.05)
    )
    try:
        await asyncio.wait_for(horizon_reaches(2), timeout=5)
        assert [c.entity_id for c in await writer.store.changes_since(2)] == ["p3"]
        await writer.store.apply(WriteBatch(upsert_stakeholders=[person("p4")]))
        await asyncio.wait_for(horizon_reaches(3), timeout=5)
        assert [c.entity_id for c in await writer.store.changes_since(3)] == ["p4"]
        # A replica that keeps up goes on change by change, whatever was pruned behind it.
        assert await follower.sync() == 4
        assert follower.view.stakeholder_ids() == {"p1", "p2", "p3", "p4"}
    finally:
        pruner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pruner
