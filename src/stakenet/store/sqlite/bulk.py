"""`BulkWrite` on SQLite: batches written into one write transaction as they arrive.

A bulk write keeps its batches and writes them together at commit, in one write transaction of
the store's. On a database file, once it holds enough rows to pay for it, it hands them to a
writer process (`writer_client`, `writer_server`), which holds the transaction from then on:
each later batch is written when it comes, on the other core, while the next ones are being
checked, and only the batches in hand (at most `BATCHES_IN_FLIGHT` waiting for the writer)
are in memory.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from stakenet.domain.access import AuditEntry
from stakenet.store.port import WriteBatch, write_becomes_irrevocable
from stakenet.store.sqlite.batch_pickle import dump_batch
from stakenet.store.sqlite.bulk_changes import BulkChanges
from stakenet.store.sqlite.reads import read_revision
from stakenet.store.sqlite.writer_client import WriterProcess

R = TypeVar("R")

# Rows a bulk write on a file keeps in hand before it starts a writer process (about 0.12 s to
# start): fewer are written at commit, in the store's own write transaction, in less time. A
# streamed import's first chunk (10,000 rows) starts it, so that it starts while the second
# chunk is checked, and writes the first meanwhile.
WRITER_FROM_ROWS = 10_000
# Batches sent to a writer process and not yet written. More than one lets the checking side
# run ahead while the writer works through a section that is slow to write (ties), and the
# writer catch up while the checking side works through one that is slow to check
# (interactions); each is about a megabyte of pickled rows.
BATCHES_IN_FLIGHT = 8


class _Closed:
    """Whether a bulk write still takes calls: not after its commit, nor after a batch failed
    (the failed batch may be half written, so the bulk write can only roll back)."""

    def __init__(self) -> None:
        self.committed = False
        self.failed = False

    def check(self) -> None:
        if self.failed:
            raise RuntimeError("A batch of this bulk write failed; it can only roll back.")
        if self.committed:
            raise RuntimeError("This bulk write is committed; it takes no more writes.")


class FileBulkWrite:
    """A bulk write on a database file, held by a writer process of its own (`writer_client`).

    Each batch is sent to the writer, which writes it while the caller checks the next ones;
    `write` returns at once while fewer than `BATCHES_IN_FLIGHT` batches wait to be written, so
    a batch's error is raised by a later `write`, or by `commit`.
    """

    def __init__(self, path: str, write_lock: threading.Lock) -> None:
        self._path = path
        self._write_lock = write_lock
        # The calls to the writer block, so they run here, one at a time and in order.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stakenet-bulk")
        self._writer: WriterProcess | None = None
        self._locked = False
        # The calls handed to the writer's thread and not yet settled, oldest first.
        self._pending: deque[asyncio.Future[Any]] = deque()
        self._closed = _Closed()

    async def _run(self, work: Callable[[], R]) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, work)

    def _send_later(self, work: Callable[[], Any]) -> None:
        """Queue `work` for the writer now; the thread runs the queue in order.

        Submitted at once, not as a task: a task would only start at the caller's next await,
        and the caller goes on checking its next batch without one.
        """
        self._pending.append(asyncio.get_running_loop().run_in_executor(self._thread, work))

    async def _settle(self, keep: int = 0) -> None:
        """Wait until at most `keep` calls are unsettled; raise the first failure among them.

        After a failure the writer has rolled back and gone, and the calls behind it fail for
        that reason alone: the bulk write only rolls back from then on (`end`).
        """
        while len(self._pending) > keep:
            try:
                await self._pending[0]
            except BaseException:
                self._closed.failed = True
                raise
            self._pending.popleft()

    async def begin(self) -> None:
        def begin() -> WriterProcess:
            # Taken and released on this bulk write's own thread, at its start and its end.
            self._write_lock.acquire()
            self._locked = True
            self._writer = WriterProcess.start(self._path)
            return self._writer

        writer = await self._run(begin)
        # The writer starts while the caller checks its first batch; that batch waits for it.
        self._send_later(writer.ready)

    async def write(self, batch: WriteBatch) -> None:
        self._closed.check()
        writer = self._require_writer()
        # The writer's start (`ready`) counts as one in flight, as does each batch.
        await self._settle(keep=BATCHES_IN_FLIGHT - 1)
        payload = dump_batch(batch)
        self._send_later(lambda: writer.request("write", payload))

    async def commit(self, audit: AuditEntry | None = None) -> int:
        self._closed.check()
        writer = self._require_writer()
        await self._settle()
        self._closed.committed = True
        await write_becomes_irrevocable()
        revision: int = await self._run(lambda: writer.request("commit", audit))
        return revision

    async def end(self) -> None:
        """Stop the writer, which rolls back whatever was not committed; free the lock."""
        pending, self._pending = list(self._pending), deque()
        # Already failed or abandoned: the writer rolls back either way, so batches not sent
        # yet are dropped; the one being written finishes first.
        for call in pending:
            call.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

        def end() -> None:
            try:
                if self._writer is not None:
                    self._writer.stop()
            finally:
                if self._locked:
                    self._locked = False
                    self._write_lock.release()

        try:
            await self._run(end)
        finally:
            self._thread.shutdown(wait=False)

    def _require_writer(self) -> WriterProcess:
        if self._writer is None:
            raise RuntimeError("This bulk write has not begun.")
        return self._writer


class DeferredBulkWrite:
    """A bulk write whose batches are kept and written together at commit, in one write
    transaction of the store's.

    An in-memory database has a single connection, which readers share, so all its bulk writes
    are written so. On a file, a bulk write that grows to `hand_over_rows` rows hands its
    batches to a writer process (`FileBulkWrite`), which then takes each batch as it comes: a
    smaller one is written sooner at commit than a writer process could start.
    """

    def __init__(
        self,
        write: Callable[[Callable[[sqlite3.Connection], int]], Awaitable[int]],
        writer: Callable[[], FileBulkWrite] | None = None,
        hand_over_rows: int = WRITER_FROM_ROWS,
    ) -> None:
        self._write = write
        self._new_writer = writer
        self._hand_over_rows = hand_over_rows
        self._writer: FileBulkWrite | None = None
        self._batches: list[WriteBatch] = []
        self._rows = 0
        self._closed = _Closed()

    async def write(self, batch: WriteBatch) -> None:
        if self._writer is not None:
            await self._writer.write(batch)
            return
        self._closed.check()
        self._batches.append(batch)
        self._rows += len(batch)
        if self._new_writer is not None and self._rows >= self._hand_over_rows:
            # Kept before it begins, so that `end` stops whatever of it did begin.
            self._writer = self._new_writer()
            await self._writer.begin()
            batches, self._batches = self._batches, []
            for held in batches:
                await self._writer.write(held)

    async def commit(self, audit: AuditEntry | None = None) -> int:
        if self._writer is not None:
            return await self._writer.commit(audit)
        self._closed.check()
        self._closed.committed = True
        batches, self._batches = self._batches, []
        changes = BulkChanges()

        def write_all(connection: sqlite3.Connection) -> int:
            for batch in batches:
                changes.write(connection, batch)
            revision = changes.finish(connection, audit)
            # Nothing changed, so nothing was written: the empty transaction commits as is.
            return read_revision(connection) if revision is None else revision

        return await self._write(write_all)

    async def end(self) -> None:
        """Stop the writer process, if one was started; it rolls back what was not committed."""
        if self._writer is not None:
            await self._writer.end()
