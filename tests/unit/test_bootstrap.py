"""The composition root: every service around one store, and a running stakenet that starts,
serves and stops as one."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from stakenet.bootstrap import assemble, build_runtime, database_url
from stakenet.demo import load_demo_document
from stakenet.domain.errors import StakenetError, StoreUnavailable
from stakenet.services.settings import Settings
from stakenet.store.sqlite import SQLiteStore

BACKGROUND = {"change-poller", "analytics-refresher", "change-log-pruner"}
DEMO = load_demo_document()
DEMO_COUNTS = (len(DEMO["stakeholders"]), len(DEMO["ties"]), len(DEMO["interactions"]))


def background_tasks() -> set[str]:
    return {task.get_name() for task in asyncio.all_tasks() if not task.done()} & BACKGROUND


def test_every_service_is_built_around_the_one_store(tmp_path: Path) -> None:
    settings = Settings(analytics_debounce=0.05)
    runtime = assemble(SQLiteStore(str(tmp_path / "s.db")), settings)
    services = runtime.services
    assert services.network.store is runtime.store
    assert services.access.store is runtime.store
    assert services.analytics.network is services.network
    assert services.analytics.debounce == 0.05
    assert services.settings is settings


async def test_a_running_stakenet_loads_the_demo_runs_its_tasks_and_then_closes(
    tmp_path: Path,
) -> None:
    url = database_url(f"sqlite:///{tmp_path / 's.db'}")
    runtime = build_runtime(url, Settings(keep_revisions=10))
    async with runtime.running(demo=True):
        counts = await runtime.services.network.counts()
        assert (counts.stakeholders, counts.ties, counts.interactions) == DEMO_COUNTS
        assert runtime.services.network.revision == counts.revision == 1
        assert background_tasks() == BACKGROUND
    assert background_tasks() == set()
    with pytest.raises(StoreUnavailable, match="not open"):
        await runtime.store.revision()

    # The demo goes only into an empty store: a second start finds the network as it was.
    again = build_runtime(url, Settings())
    async with again.running(demo=True):
        counts = await again.services.network.counts()
        assert (counts.stakeholders, counts.revision) == (DEMO_COUNTS[0], 1)
        assert background_tasks() == {"change-poller", "analytics-refresher"}


async def test_without_demo_an_empty_store_stays_empty() -> None:
    runtime = assemble(SQLiteStore(":memory:"))
    async with runtime.running():
        counts = await runtime.services.network.counts()
        assert (counts.stakeholders, counts.revision) == (0, 0)


async def test_a_store_whose_read_model_cannot_be_built_is_closed_again(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    runtime = assemble(SQLiteStore(str(path)))
    await runtime.start()
    await runtime.stop()
    with sqlite3.connect(path) as database:
        database.execute("ALTER TABLE ties RENAME TO ties_elsewhere")
    database.close()

    with pytest.raises(StakenetError):
        await runtime.start()
    with pytest.raises(StoreUnavailable, match="not open"):
        await runtime.store.revision()
