"""A server that follows a snapshot directory: adopts each new file at or below its graph's
revision, refuses a damaged one once and keeps the snapshot it has or takes an older one, and
never computes one itself."""

from __future__ import annotations

import gc
import logging
import weakref
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stakenet.analytics.snapshot_file import write_snapshot
from stakenet.app import YOUNG_PASS_EVERY, young_passes_every
from stakenet.bootstrap import Runtime, assemble
from stakenet.domain.access import SYSTEM
from stakenet.domain.model import StakeholderKind
from stakenet.services.access import acting_as
from stakenet.services.container import Settings
from stakenet.services.snapshots import SnapshotFollower, long_lived
from stakenet.store.sqlite import SQLiteStore
from support.snapshot_states import computed


@pytest.fixture
async def follower(tmp_path: Path) -> AsyncIterator[tuple[Runtime, SnapshotFollower]]:
    directory = tmp_path / "snapshots"
    settings = Settings(analytics="follow", snapshot_dir=str(directory))
    runtime = assemble(SQLiteStore(str(tmp_path / "graph.db")), settings)
    await runtime.start()
    try:
        yield runtime, SnapshotFollower(runtime.services.analytics, directory)
    finally:
        await runtime.stop()


async def write_until(runtime: Runtime, revision: int) -> None:
    """Create people until the server's graph is at `revision`."""
    network = runtime.services.network
    with acting_as(SYSTEM):
        while network.revision < revision:
            await network.create_stakeholder(StakeholderKind.PERSON, {"name": "P"})
    assert network.revision == revision


async def test_a_new_file_is_adopted_and_a_damaged_one_refused(
    follower: tuple[Runtime, SnapshotFollower], caplog: pytest.LogCaptureFixture
) -> None:
    runtime, following = follower
    analytics = runtime.services.analytics
    await write_until(runtime, 4)
    assert await following.check() is False and analytics.state is None

    first = write_snapshot(following.directory, computed(3, datetime(2026, 6, 1, tzinfo=UTC)))
    assert await following.check() is True
    state = analytics.state
    assert state is not None and state.revision == 3
    assert state.metrics_of("b") == computed(3, datetime(2026, 6, 1, tzinfo=UTC)).metrics_of("b")
    assert analytics.adoptions == 1 and analytics.refreshes == 0
    assert await following.check() is False  # the same file is not read twice

    damaged = write_snapshot(following.directory, computed(4, datetime(2026, 6, 2, tzinfo=UTC)))
    damaged.write_bytes(damaged.read_bytes()[:-20])
    with caplog.at_level(logging.ERROR, logger="stakenet.snapshots"):
        assert await following.check() is False
    assert analytics.state is state and analytics.adoptions == 1
    assert f"{damaged.name} is truncated" in caplog.text
    assert "The previous analytics snapshot stays current." in caplog.text
    assert first.exists()


async def test_a_follower_waits_for_the_workers_snapshot_instead_of_computing(
    follower: tuple[Runtime, SnapshotFollower],
) -> None:
    runtime, following = follower
    analytics = runtime.services.analytics
    write_snapshot(following.directory, computed(0, datetime(2026, 6, 1, tzinfo=UTC)))
    await following.check()
    # What an erasure asks for: the snapshot of the current revision, here the adopted one.
    state = await analytics.refresh()
    assert state.revision == 0 and analytics.refreshes == 0 and analytics.adoptions == 1


async def test_a_file_beyond_the_servers_revision_waits_for_the_graph_to_reach_it(
    follower: tuple[Runtime, SnapshotFollower], caplog: pytest.LogCaptureFixture
) -> None:
    runtime, following = follower
    analytics = runtime.services.analytics
    await write_until(runtime, 3)
    start = datetime(2026, 6, 1, tzinfo=UTC)
    write_snapshot(following.directory, computed(3, start))
    # Of a history the database lost when restored from a backup, or of writes not seen yet.
    ahead = write_snapshot(following.directory, computed(9, start + timedelta(hours=1)))
    with caplog.at_level(logging.WARNING, logger="stakenet.snapshots"):
        assert await following.check() is True
        assert await following.check() is False
    assert analytics.revision == 3
    assert [r.getMessage() for r in caplog.records] == [
        f"snapshot file {ahead.name} is of revision 9, beyond this server's 3: it is not "
        "adopted before the graph reaches it"
    ]
    await write_until(runtime, 9)
    assert await following.check() is True
    assert analytics.revision == 9 and analytics.adoptions == 2


async def test_a_file_that_fails_to_load_is_read_once_and_blocks_no_other(
    follower: tuple[Runtime, SnapshotFollower], caplog: pytest.LogCaptureFixture
) -> None:
    runtime, following = follower
    analytics = runtime.services.analytics
    await write_until(runtime, 4)
    start = datetime(2026, 6, 1, tzinfo=UTC)
    write_snapshot(following.directory, computed(3, start))
    # Named for the current revision and a later instant than any genuine file below.
    garbage = write_snapshot(following.directory, computed(4, start + timedelta(days=30)))
    garbage.write_bytes(b"not a snapshot")
    with caplog.at_level(logging.ERROR, logger="stakenet.snapshots"):
        assert await following.check() is True  # the newest that loads: revision 3
        assert analytics.revision == 3
        genuine = write_snapshot(following.directory, computed(4, start + timedelta(hours=1)))
        assert await following.check() is True
        assert analytics.revision == 4 and analytics.state is not None
        assert analytics.state.as_of == start + timedelta(hours=1)
        assert await following.check() is False
    assert [r.getMessage() for r in caplog.records] == [
        f"{garbage.name} is not a stakenet snapshot file. The previous analytics snapshot "
        "stays current."
    ]
    assert genuine.exists() and garbage.exists()


class Loop:
    """An object that refers to itself: freed only by the cycle collector."""

    def __init__(self) -> None:
        self.me = self


def test_cyclic_garbage_of_a_load_is_collected_not_frozen() -> None:
    try:
        with long_lived():
            garbage = Loop()
            gone = weakref.ref(garbage)
            del garbage
        # Frozen, it would outlive every later pass of the collector.
        gc.collect()
        assert gone() is None
    finally:
        gc.unfreeze()


def test_no_young_pass_walks_more_than_a_few_thousand_objects_of_a_load() -> None:
    """Everything a load builds survives: with a server's young threshold and the default
    second one, a second-generation pass would walk some 100,000 of them at once."""
    walked: list[int] = []

    def before_each_pass(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 1:
            walked.append(len(gc.get_objects(0)) + len(gc.get_objects(1)))

    kept: list[list[int]] = []
    gc.callbacks.append(before_each_pass)
    try:
        with young_passes_every(YOUNG_PASS_EVERY), long_lived():
            kept.extend([number] for number in range(300_000))
    finally:
        gc.callbacks.remove(before_each_pass)
        gc.unfreeze()
    assert len(walked) >= 3
    assert max(walked) <= 10_000, max(walked)
