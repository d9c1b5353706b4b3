"""A server that follows a snapshot directory: adopts each new file, refuses a damaged one and
keeps the snapshot it has, and never computes one itself."""

from __future__ import annotations

import gc
import logging
import weakref
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stakenet.analytics.network_view import AnalyticsState, NetworkView
from stakenet.analytics.snapshot_file import write_snapshot
from stakenet.bootstrap import Runtime, assemble
from stakenet.domain.model import GraphData, Stakeholder, StakeholderKind, Tie, TieKind
from stakenet.services.container import Settings
from stakenet.services.snapshots import SnapshotFollower, long_lived
from stakenet.store.sqlite import SQLiteStore

PERSON = StakeholderKind.PERSON


def computed(revision: int, at: datetime) -> AnalyticsState:
    """The analytics of a three-person chain, computed as a worker would."""
    view = NetworkView()
    view.load(
        GraphData(
            revision=revision,
            stakeholders=[Stakeholder(id=n, kind=PERSON, name=n.title()) for n in ("a", "b", "c")],
            ties=[
                Tie(id="ab", kind=TieKind.KNOWS, source_id="a", target_id="b", strength=0.8),
                Tie(id="bc", kind=TieKind.KNOWS, source_id="b", target_id="c", strength=0.4),
            ],
        )
    )
    return view.refresh(at)


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


async def test_a_new_file_is_adopted_and_a_damaged_one_refused(
    follower: tuple[Runtime, SnapshotFollower], caplog: pytest.LogCaptureFixture
) -> None:
    runtime, following = follower
    analytics = runtime.services.analytics
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
