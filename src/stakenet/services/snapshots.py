"""Analytics computed outside the serving process: snapshot files written, followed, supervised.

- `SnapshotPublisher`: in the `stakenet analytics` worker, writes each snapshot its analytics
  service computes to the snapshot directory (`stakenet.analytics.snapshot_file`); a write
  the file system refuses (a full disk) is tried again with backoff, after pruning, without
  waiting for the next write to the database; at start it removes the files of revisions the
  database has not reached (a database restored from a backup lost them).
- `SnapshotFollower`: in a server, loads the newest file of the directory at or below its own
  graph's revision in a worker thread and has the analytics service adopt it; a file that fails
  to load is not read again, and the next older one is used. The server never computes a
  snapshot. The
  cycle collector never walks a loaded snapshot (`long_lived`): no full pass runs while one
  is loaded, and it is frozen once adopted; a snapshot replaced is released by the read model
  a while later (`NetworkView.release_retired`), so reference counting frees it instead.
- `WorkerProcess`: in a server with ``--analytics process``, runs the worker as a child
  process, restarts it when it dies, and stops it with the server. The child watches its
  standard input, whose other end only the server holds: it ends when the server ends, even
  when the server is killed.
- Questions about the past (``asOf``) in such a server: the analytics of a past instant are a
  whole snapshot computed again, as long as a refresh, so the server asks its worker
  (`PastFromWorker`), which computes them (`PastAnswers`), writes them as a snapshot file and
  names it; the server loads the file as it adopts one, keeps the state and removes the file.
  The questions go one JSON line each down the worker's standard input, the answers one line
  each up its standard output.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio.to_thread

from stakenet.analytics.snapshot_file import (
    SnapshotFileError,
    read_snapshot,
    snapshot_files,
    write_snapshot,
)
from stakenet.domain.errors import StoreUnavailable
from stakenet.services.analytics import AnalyticsService, AnalyticsState

log = logging.getLogger("stakenet.snapshots")

# Seconds before a crashed worker is started again, doubled after each crash up to the last.
RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
# Seconds a worker must have run for its crash to count as a first one again.
HEALTHY_RUN = 60.0
# Seconds before a snapshot the file system refused is written again, then the next, the last
# repeated until it is written.
WRITE_RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
STOP_GRACE = 5.0
# Seconds a replaced snapshot is kept before it is released: far beyond the execution deadline
# of the queries that may still read it.
RELEASE_AFTER = 120.0
# Full passes of the cycle collector wait this many young passes while a snapshot loads: never.
_NO_FULL_PASS = 2**31 - 1
# The young passes while a snapshot loads: a first-generation pass every 2,000 new containers
# and a second-generation one every second of those. Everything a load builds survives, so a
# second-generation pass after ten first ones at a server's 10,000 walked some 100,000 objects
# and the objects they point to: 30–120 ms holding the interpreter at a million ties.
LOADING_YOUNG_THRESHOLDS = (2_000, 2)


class _LongLived:
    """How many loads are under way, and the collector's thresholds from before the first."""

    loading = 0
    thresholds = gc.get_threshold()


@contextlib.contextmanager
def long_lived() -> Iterator[None]:
    """Make objects that live long, a loaded snapshot, without a full pass of the cycle
    collector, and freeze them afterwards (`gc.freeze`): no later pass walks them.

    A snapshot is millions of objects; each full pass over a heap that size holds the
    interpreter for a second or more, and loading one sets off several. Young passes still
    run meanwhile, so the requests' own garbage is collected as usual, but more often and
    each over fewer objects (`LOADING_YOUNG_THRESHOLDS`): no pass walks more than a few
    thousand of the new snapshot's objects. Loads may overlap (a snapshot adopted while a past
    one loads): the thresholds return when the last one ends.
    """
    if _LongLived.loading == 0:
        _LongLived.thresholds = gc.get_threshold()
        first, second = LOADING_YOUNG_THRESHOLDS
        gc.set_threshold(first, second, _NO_FULL_PASS)
    _LongLived.loading += 1
    try:
        yield
    finally:
        _LongLived.loading -= 1
        if _LongLived.loading == 0:
            # The young generations first: their cyclic garbage (the requests' own, from the
            # load) would never be collected once frozen. They are small, so this pass is short.
            gc.collect(1)
            gc.freeze()
            gc.set_threshold(*_LongLived.thresholds)


def _remove(paths: Sequence[Path]) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):  # another process removed it first
            path.unlink()


class SnapshotPublisher:
    """Writes every snapshot the analytics service computes into `directory`, keeping the
    newest `keep` files.

    A write the file system refuses (no space left, a read-only or unwritable directory) is
    logged on one line and tried again after `retry_delays`, each time after removing all but
    the newest ``keep - 1`` files (at least one) to make room, until it succeeds or a newer
    snapshot is written.
    """

    def __init__(
        self,
        analytics: AnalyticsService,
        directory: Path,
        keep: int = 3,
        retry_delays: Sequence[float] = WRITE_RETRY_DELAYS,
    ) -> None:
        self.directory = directory
        self.keep = keep
        self.retry_delays = tuple(retry_delays)
        self.written = 0
        self.failed = 0
        # The newest snapshot not written yet; None once written.
        self._unwritten: AnalyticsState | None = None
        self._writing = asyncio.Lock()
        self._retrying: asyncio.Task[None] | None = None
        analytics.after_refresh.append(self.publish)

    async def remove_unreached(self, database_revision: Callable[[], Awaitable[int]]) -> int:
        """Remove the files of revisions beyond the database's: computed on a history it lost
        when restored from a backup, they would be taken for its future. Returns how many."""
        # Listed before the revision is read: a file listed was written for a revision the
        # database had reached by then, and is kept.
        files = await anyio.to_thread.run_sync(snapshot_files, self.directory)
        revision = await database_revision()
        unreached = [(r, path) for r, path in files if r > revision]
        if unreached:
            await anyio.to_thread.run_sync(_remove, [path for _, path in unreached])
            log.warning(
                "removed the snapshot files of revisions %s from %s: the database is at "
                "revision %d (restored from a backup?)",
                ", ".join(str(r) for r, _ in reversed(unreached)),
                self.directory,
                revision,
            )
        return len(unreached)

    async def publish(self, state: AnalyticsState) -> None:
        self._unwritten = state
        error = await self._write_unwritten(make_room=False)
        if error is None:
            return
        retrying = self._retrying is not None and not self._retrying.done()
        self._log_refused(state, error, None if retrying else self.retry_delays[0])
        if not retrying:
            self._retrying = asyncio.create_task(self._retry(), name="snapshot-write-retry")

    async def _retry(self) -> None:
        attempt = 0
        while True:
            await asyncio.sleep(self.retry_delays[min(attempt, len(self.retry_delays) - 1)])
            attempt += 1
            state = self._unwritten
            if state is None:  # a newer snapshot was written meanwhile
                return
            error = await self._write_unwritten(make_room=True)
            if error is None:
                return
            delay = self.retry_delays[min(attempt, len(self.retry_delays) - 1)]
            self._log_refused(state, error, delay)

    async def _write_unwritten(self, *, make_room: bool) -> OSError | None:
        """Write the newest unwritten snapshot, if any; the error if the file system refused."""
        async with self._writing:
            state = self._unwritten
            if state is None:
                return None
            try:
                if make_room:
                    await anyio.to_thread.run_sync(self._make_room)
                path = await anyio.to_thread.run_sync(
                    write_snapshot, self.directory, state, self.keep
                )
            except OSError as error:
                self.failed += 1
                return error
            if self._unwritten is state:
                self._unwritten = None
            self.written += 1
        log.info("analytics snapshot of revision %d written to %s", state.revision, path)
        return None

    def _make_room(self) -> None:
        files = snapshot_files(self.directory)
        _remove([path for _, path in files[max(self.keep - 1, 1) :]])

    def _log_refused(self, state: AnalyticsState, error: OSError, retry_in: float | None) -> None:
        # One line: the reason is the file system's, a traceback would say nothing more.
        log.error(
            "cannot write the analytics snapshot of revision %d into %s: %s%s",
            state.revision,
            self.directory,
            error.strerror or error,
            "" if retry_in is None else f"; trying again in {retry_in:g}s",
        )


class SnapshotFollower:
    """Adopts the newest snapshot file of `directory` at or below this server's revision
    whenever a new one appears."""

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
        # Files that failed to load, and files beyond this server's revision already logged.
        self._refused: set[Path] = set()
        self._ahead: set[Path] = set()
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
        """Adopt the newest file at or below this server's revision if it is new; True if it
        became the current snapshot.

        A file of a later revision waits until this server's graph reaches it: its analytics
        would describe a graph this server does not have, or one its database no longer has
        (restored from a backup). A file that fails to load is not read again, and the next
        older file is tried instead.
        """
        files = await anyio.to_thread.run_sync(snapshot_files, self.directory)
        present = {path for _, path in files}
        self._refused &= present
        self._ahead &= present
        reached = self.analytics.view.revision
        for revision, path in files:
            if revision > reached:
                if path not in self._ahead:
                    self._ahead.add(path)
                    log.warning(
                        "snapshot file %s is of revision %d, beyond this server's %d: "
                        "it is not adopted before the graph reaches it",
                        path.name,
                        revision,
                        reached,
                    )
                continue
            if path == self._seen:
                return False
            if path in self._refused:
                continue
            with long_lived():
                try:
                    loaded = await anyio.to_thread.run_sync(read_snapshot, path)
                except SnapshotFileError as error:
                    self._refused.add(path)
                    log.error("%s The previous analytics snapshot stays current.", error)
                    continue
                self._seen = path
                self.loaded += 1
                self.longest_frame = max(self.longest_frame, loaded.longest_frame)
                return await self.analytics.adopt(loaded.state)
        return False


def restart_delay(crashes: int, ran_for: float) -> tuple[float, int]:
    """The seconds to wait before starting a worker again after it crashed, having run for
    `ran_for` seconds after `crashes` crashes in a row, and the crashes in a row now: a crash
    after a healthy run (`HEALTHY_RUN`) is a first one again."""
    if ran_for >= HEALTHY_RUN:
        crashes = 0
    return RESTART_DELAYS[min(crashes, len(RESTART_DELAYS) - 1)], crashes + 1


class WorkerProcess:
    """The analytics worker as a child process of the server, kept running."""

    def __init__(self, command: Sequence[str], environment: Mapping[str, str]) -> None:
        self.command = list(command)
        self.environment = dict(environment)
        self.starts = 0
        self.process: asyncio.subprocess.Process | None = None
        # The past questions asked of the running worker and not answered yet, by number.
        self._asked: dict[int, asyncio.Future[Path]] = {}
        self._numbers = itertools.count(1)

    async def run(self) -> None:
        """Run the worker, restarting it after a crash, until cancelled; then stop it."""
        crashes = 0
        try:
            while True:
                self.process = await asyncio.create_subprocess_exec(
                    *self.command,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    env={**os.environ, **self.environment},
                )
                self.starts += 1
                log.info("analytics worker started (pid %d)", self.process.pid)
                answers = asyncio.create_task(self._read_answers(self.process))
                started = time.monotonic()
                code = await self.process.wait()
                await answers
                delay, crashes = restart_delay(crashes, time.monotonic() - started)
                log.error(
                    "the analytics worker (pid %d) exited with code %d; restarting it in %.0fs",
                    self.process.pid,
                    code,
                    delay,
                )
                await asyncio.sleep(delay)
        finally:
            await self._stop()

    async def past(self, moment: datetime, revision: int) -> Path:
        """The snapshot file the worker writes of the analytics at `moment` of its graph at
        `revision` or later; the caller removes it once read."""
        process = self.process
        if process is None or process.returncode is not None or process.stdin is None:
            raise StoreUnavailable("The analytics worker is starting; retry shortly.")
        number = next(self._numbers)
        answer: asyncio.Future[Path] = asyncio.get_running_loop().create_future()
        self._asked[number] = answer
        question = {"id": number, "asOf": moment.isoformat(), "revision": revision}
        try:
            process.stdin.write(json.dumps(question).encode() + b"\n")
            await process.stdin.drain()
        except ConnectionError:  # it ended meanwhile; it is being started again
            self._asked.pop(number, None)
            raise StoreUnavailable("The analytics worker is restarting; retry shortly.") from None
        return await answer

    async def _read_answers(self, process: asyncio.subprocess.Process) -> None:
        """Hand each answer line of the worker to its question, until its output ends; the
        questions left then fail: the worker ended without answering them."""
        assert process.stdout is not None
        async for line in process.stdout:
            try:
                answer = json.loads(line)
                asked = self._asked.pop(answer["id"])
            except (ValueError, KeyError, TypeError):
                log.error("the analytics worker wrote a line that answers nothing: %r", line)
                continue
            if asked.done():
                continue
            if "path" in answer:
                asked.set_result(Path(answer["path"]))
            else:
                asked.set_exception(StoreUnavailable(str(answer.get("error"))))
        asked_before, self._asked = self._asked, {}
        for asked in asked_before.values():
            if not asked.done():
                asked.set_exception(
                    StoreUnavailable(
                        "The analytics worker stopped before it computed that date; retry shortly."
                    )
                )

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


class PastFromWorker:
    """A server's past analytics, computed by its worker process and loaded from the file it
    writes, the way a snapshot is adopted: the server's own interpreter only reads them."""

    def __init__(self, worker: WorkerProcess) -> None:
        self.worker = worker
        self.loaded = 0

    async def __call__(self, moment: datetime, revision: int) -> AnalyticsState:
        path = await self.worker.past(moment, revision)
        try:
            with long_lived():
                loaded = await anyio.to_thread.run_sync(read_snapshot, path)
                await anyio.to_thread.run_sync(loaded.state.warm)
        except SnapshotFileError as error:
            log.error("%s The question about %s is not answered.", error, moment.isoformat())
            raise StoreUnavailable(
                "The analytics of that date could not be loaded; retry shortly."
            ) from None
        finally:
            await anyio.to_thread.run_sync(_remove, [path])
        self.loaded += 1
        return loaded.state


# Seconds the worker waits for its graph to reach the revision a past question was asked at.
PAST_CATCH_UP = 30.0
# Past snapshot files a worker keeps at most, should its server not have read them yet.
PAST_FILES_KEPT = 4


class PastAnswers:
    """In a server's worker: computes the analytics of the past instants the server asks for,
    one at a time, on its graph once it has reached the server's revision, writes each as a
    snapshot file in a directory of its own (removed when it stops) and answers its path."""

    def __init__(
        self,
        analytics: AnalyticsService,
        directory: Path,
        reply: Callable[[bytes], object],
        catch_up: float = PAST_CATCH_UP,
    ) -> None:
        self.analytics = analytics
        self.directory = directory
        self.reply = reply
        self.catch_up = catch_up
        self.answered = 0

    async def run(self, questions: asyncio.Queue[bytes]) -> None:
        """Answer each question line until cancelled, then remove the directory of answers."""
        own = Path(await anyio.to_thread.run_sync(self._make_own_directory))
        try:
            while True:
                line = await questions.get()
                answer = await self.answer(line, own)
                self.reply(json.dumps(answer).encode() + b"\n")
        finally:
            shutil.rmtree(own, ignore_errors=True)

    def _make_own_directory(self) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        # Hidden, so that no reader of snapshot files takes it for one.
        return tempfile.mkdtemp(prefix=".past-", dir=self.directory)

    async def answer(self, line: bytes, own: Path) -> dict[str, Any]:
        try:
            question = json.loads(line)
            number = question["id"]
            moment = datetime.fromisoformat(question["asOf"])
            revision = int(question["revision"])
        except (ValueError, KeyError, TypeError):
            log.error("a question the analytics worker cannot read: %r", line)
            return {"id": None, "error": "The question could not be read."}
        try:
            if not await self._caught_up(revision):
                return {
                    "id": number,
                    "error": "The analytics worker has not reached this server's revision "
                    "yet; retry shortly.",
                }
            state = await self.analytics.at(moment)
            path = await anyio.to_thread.run_sync(write_snapshot, own, state, PAST_FILES_KEPT)
        except Exception as error:
            log.exception("computing the analytics of %s failed", moment.isoformat())
            return {"id": number, "error": f"The analytics of that date failed: {error}"}
        self.answered += 1
        return {"id": number, "path": str(path)}

    async def _caught_up(self, revision: int) -> bool:
        """Wait (at most `catch_up` seconds) until this graph reaches `revision`, True if it did:
        the worker follows the change log, and the server may have written just before it
        asked. The past computed on an older graph would miss that write."""
        network = self.analytics.network
        changed = asyncio.Event()

        def listener(event: object) -> None:
            changed.set()

        network.subscribe(listener)
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.catch_up):
                    while self.analytics.view.revision < revision:
                        await changed.wait()
                        changed.clear()
        finally:
            network.unsubscribe(listener)
        return self.analytics.view.revision >= revision
