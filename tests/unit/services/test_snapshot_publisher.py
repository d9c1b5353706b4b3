"""The worker's side of a snapshot directory: files of revisions the database has not reached
are removed at start, and a write the file system refuses is tried again, after making room,
without waiting for the next write to the database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stakenet.analytics.snapshot_file import snapshot_files, write_snapshot
from stakenet.bootstrap import Runtime, assemble
from stakenet.domain.access import SYSTEM
from stakenet.domain.model import StakeholderKind
from stakenet.services.access import acting_as
from stakenet.services.snapshots import SnapshotPublisher
from stakenet.store.sqlite import SQLiteStore
from support.snapshot_states import computed

START = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    runtime = assemble(SQLiteStore(str(tmp_path / "graph.db")))
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


def revisions(directory: Path) -> list[int]:
    return [revision for revision, _ in snapshot_files(directory)]


async def test_files_of_revisions_the_database_has_not_reached_are_removed(
    runtime: Runtime, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with acting_as(SYSTEM):
        for name in ("Ada", "Bo"):
            await runtime.services.network.create_stakeholder(
                StakeholderKind.PERSON, {"name": name}
            )
    assert await runtime.store.revision() == 2
    directory = tmp_path / "snapshots"
    # A backup restored at revision 2: the files of revisions 5 and 9 describe a lost history.
    for revision in (1, 2, 5, 9):
        write_snapshot(directory, computed(revision, START + timedelta(hours=revision)), keep=9)
    publisher = SnapshotPublisher(runtime.services.analytics, directory)
    with caplog.at_level(logging.WARNING, logger="stakenet.snapshots"):
        assert await publisher.remove_unreached(runtime.store.revision) == 2
    assert revisions(directory) == [2, 1]
    assert [r.getMessage() for r in caplog.records] == [
        f"removed the snapshot files of revisions 5, 9 from {directory}: the database is at "
        "revision 2 (restored from a backup?)"
    ]
    assert await publisher.remove_unreached(runtime.store.revision) == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A file system of 16 pages of its own (tmpfs), whose space really runs out."""
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(mount)],
        capture_output=True,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


@dataclass
class Switchable:
    """A directory whose writes can be refused and allowed again, and the reason given."""

    directory: Path
    refuse: Callable[[], object]
    allow: Callable[[], object]
    reason: str


@pytest.fixture
def switchable(tmp_path: Path) -> Iterator[Switchable]:
    """Remounted read-only as root (a file system of its own), made read-only otherwise."""
    if os.geteuid() != 0:
        directory = tmp_path / "switchable"
        directory.mkdir()
        yield Switchable(
            directory, lambda: directory.chmod(0o555), lambda: directory.chmod(0o755),
            "Permission denied",
        )  # fmt: skip
        directory.chmod(0o755)
        return
    mount = tmp_path / "switchable"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)]).returncode:
        pytest.skip("cannot mount a tmpfs")

    def remount(mode: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{mode}", str(mount)], check=True)

    try:
        yield Switchable(
            mount, lambda: remount("ro"), lambda: remount("rw"), "Read-only file system"
        )
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


async def test_a_write_into_a_directory_made_read_only_is_retried_once_writable(
    runtime: Runtime, switchable: Switchable, caplog: pytest.LogCaptureFixture
) -> None:
    directory = switchable.directory
    publisher = SnapshotPublisher(
        runtime.services.analytics, directory, keep=3, retry_delays=(0.05,)
    )
    await publisher.publish(computed(1, START))
    switchable.refuse()
    with caplog.at_level(logging.ERROR, logger="stakenet.snapshots"):
        await publisher.publish(computed(2, START + timedelta(hours=1)))
        await wait_for(lambda: publisher.failed >= 2)
    switchable.allow()
    await wait_for(lambda: publisher.written == 2)
    assert revisions(directory) == [2, 1]
    assert caplog.records[0].getMessage() == (
        f"cannot write the analytics snapshot of revision 2 into {directory}: "
        f"{switchable.reason}; trying again in 0.05s"
    )
    assert all(r.exc_info is None for r in caplog.records)


def fill(directory: Path) -> Path:
    """Take every byte left on `directory`'s file system; the file that holds them."""
    filler = directory / "filler"
    with filler.open("wb", buffering=0) as sink, contextlib.suppress(OSError):
        while True:
            sink.write(b"\0" * 4096)
    return filler


async def wait_for(condition: object, seconds: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not callable(condition) or not condition():
        assert asyncio.get_running_loop().time() < deadline, "not in time"
        await asyncio.sleep(0.02)


async def test_a_write_refused_for_lack_of_space_is_retried_after_making_room(
    runtime: Runtime, small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = small_disk / "snapshots"
    publisher = SnapshotPublisher(
        runtime.services.analytics, directory, keep=2, retry_delays=(0.05, 0.1)
    )
    await publisher.publish(computed(1, START))
    await publisher.publish(computed(2, START + timedelta(hours=1)))
    fill(small_disk)
    with caplog.at_level(logging.INFO, logger="stakenet.snapshots"):
        await publisher.publish(computed(3, START + timedelta(hours=2)))
        # No write to the database, no space freed: removing the oldest file makes the room.
        await wait_for(lambda: publisher.written == 3)
    assert revisions(directory) == [3, 2]
    assert publisher.failed == 1
    refused = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [(r.getMessage(), r.exc_info) for r in refused] == [
        (
            f"cannot write the analytics snapshot of revision 3 into {directory}: No space "
            "left on device; trying again in 0.05s",
            None,
        )
    ]


async def test_a_write_refused_is_retried_with_backoff_until_space_is_freed(
    runtime: Runtime, small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = small_disk / "snapshots"
    publisher = SnapshotPublisher(
        runtime.services.analytics, directory, keep=1, retry_delays=(0.05, 0.1)
    )
    await publisher.publish(computed(1, START))
    filler = fill(small_disk)
    with caplog.at_level(logging.INFO, logger="stakenet.snapshots"):
        await publisher.publish(computed(2, START + timedelta(hours=1)))
        await wait_for(lambda: publisher.failed >= 3)
        # The one file kept is never removed to make room: a starting server adopts it.
        assert revisions(directory) == [1]
        filler.unlink()
        await wait_for(lambda: publisher.written == 2)
    assert revisions(directory) == [2]
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    prefix = f"cannot write the analytics snapshot of revision 2 into {directory}: "
    assert messages[:3] == [
        prefix + "No space left on device; trying again in 0.05s",
        prefix + "No space left on device; trying again in 0.1s",
        prefix + "No space left on device; trying again in 0.1s",
    ]
    assert all(r.exc_info is None for r in caplog.records)
