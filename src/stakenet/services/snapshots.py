"""Analytics computed outside the serving process: snapshot files written, followed, supervised.

- `SnapshotPublisher`: in the `stakenet analytics` worker, writes each snapshot its analytics
  service computes to the snapshot directory (`stakenet.analytics.snapshot_file`).
- `SnapshotFollower`: in a server, loads each new file of the directory in a worker thread
  and has the analytics service adopt it; the server itself never computes a snapshot. The
  cycle collector never walks a loaded snapshot (`long_lived`): no full pass runs while one
  is loaded, and it is frozen once adopted; a snapshot replaced is released by the read model
  a while later (`NetworkView.release_retired`), so reference counting frees it instead.
- `WorkerProcess`: in a server with ``--analytics process``, runs the worker as a child
  process, restarts it when it dies, and stops it with the server. The child watches its
  standard input, whose other end only the server holds: it ends when the server ends, even
  when the server is killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import anyio.to_thread

from stakenet.analytics.snapshot_file import (
    SnapshotFileError,
    newest_snapshot_file,
    read_snapshot,
    write_snapshot,
)
from stakenet.services.analytics import AnalyticsService, AnalyticsState

log = logging.getLogger("stakenet.snapshots")

# Seconds before a crashed worker is started again, doubled after each crash up to the last.
RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
STOP_GRACE = 5.0
# Seconds a replaced snapshot is kept before it is released: far beyond the execution deadline
# of the queries that may still read it.
RELEASE_AFTER = 120.0
# Full passes of the cycle collector wait this many young passes while a snapshot loads: never.
_NO_FULL_PASS = 2**31 - 1


@contextlib.contextmanager
def long_lived() -> Iterator[None]:
    """Make objects that live long, a loaded snapshot, without a full pass of the cycle
    collector, and freeze them afterwards (`gc.freeze`): no later pass walks them.

    A snapshot is millions of objects; each full pass over a heap that size holds the
    interpreter for a second or more, and loading one sets off several. Young passes still
    run meanwhile, so the requests' own garbage is collected as usual.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], _NO_FULL_PASS)
    try:
        yield
    finally:
        # The young generations first: their cyclic garbage (the requests' own, from the load)
        # would never be collected once frozen. They are small, so this pass is short.
        gc.collect(1)
        gc.freeze()
        gc.set_threshold(*thresholds)


class SnapshotPublisher:
    """Writes every snapshot the analytics service computes into `directory`, keeping the
    newest `keep` files."""

    def __init__(self, analytics: AnalyticsService, directory: Path, keep: int = 3) -> None:
        self.directory = directory
        self.keep = keep
        self.written = 0
        analytics.after_refresh.append(self.publish)

    async def publish(self, state: AnalyticsState) -> None:
        path = await anyio.to_thread.run_sync(write_snapshot, self.directory, state, self.keep)
        self.written += 1
        log.info("analytics snapshot of revision %d written to %s", state.revision, path)


class SnapshotFollower:
    """Adopts the newest snapshot file of `directory` whenever a new one appears."""

    def __init__(
        self, analytics: AnalyticsService, directory: Path, poll_interval: float = 0.2
    ) -> None:
        self.analytics = analytics
        self.directory = directory
        self.poll_interval = poll_interval
        self.loaded = 0
        # The longest a load held the interpreter lock decoding one frame, in seconds.
        self.longest_frame = 0.0
        self._seen: Path | None = None
        analytics.view.track_retired()

    async def run(self) -> None:
        """Check the directory every `poll_interval` seconds, forever."""
        view = self.analytics.view
        while True:
            try:
                await self.check()
                await anyio.to_thread.run_sync(view.release_retired, RELEASE_AFTER)
            except Exception:
                log.exception("reading the snapshot directory failed; trying again")
            await asyncio.sleep(self.poll_interval)

    async def check(self) -> bool:
        """Adopt the newest file if it is new; True if it became the current snapshot."""
        newest = await anyio.to_thread.run_sync(newest_snapshot_file, self.directory)
        if newest is None or newest == self._seen:
            return False
        self._seen = newest  # a refused file is not read again; the next one will be
        with long_lived():
            try:
                loaded = await anyio.to_thread.run_sync(read_snapshot, newest)
            except SnapshotFileError as error:
                log.error("%s The previous analytics snapshot stays current.", error)
                return False
            self.loaded += 1
            self.longest_frame = max(self.longest_frame, loaded.longest_frame)
            return await self.analytics.adopt(loaded.state)


class WorkerProcess:
    """The analytics worker as a child process of the server, kept running."""

    def __init__(self, command: Sequence[str], environment: Mapping[str, str]) -> None:
        self.command = list(command)
        self.environment = dict(environment)
        self.starts = 0
        self.process: asyncio.subprocess.Process | None = None

    async def run(self) -> None:
        """Run the worker, restarting it after a crash, until cancelled; then stop it."""
        crashes = 0
        try:
            while True:
                self.process = await asyncio.create_subprocess_exec(
                    *self.command,
                    stdin=asyncio.subprocess.PIPE,
                    env={**os.environ, **self.environment},
                )
                self.starts += 1
                log.info("analytics worker started (pid %d)", self.process.pid)
                code = await self.process.wait()
                delay = RESTART_DELAYS[min(crashes, len(RESTART_DELAYS) - 1)]
                crashes += 1
                log.error(
                    "the analytics worker (pid %d) exited with code %d; restarting it in %.0fs",
                    self.process.pid,
                    code,
                    delay,
                )
                await asyncio.sleep(delay)
        finally:
            await self._stop()

    async def _stop(self) -> None:
        process = self.process
        if process is None or process.returncode is not None:
            return
        # End of its standard input tells the worker to stop.
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), STOP_GRACE)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
