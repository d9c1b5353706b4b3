"""`BulkWrite` on SQLite: batches written into one write transaction as they arrive.

On a database file the transaction lives on a connection and a thread of its own for the whole
bulk write, so each batch is written when it comes and only the current one is in memory. An
in-memory database has a single connection, which readers share; there the batches are kept and
written together at commit, as a file would have them.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from stakenet.domain.access import AuditEntry
from stakenet.store.port import WriteBatch
from stakenet.store.sqlite.changes import ChangeLog
from stakenet.store.sqlite.errors import translated
from stakenet.store.sqlite.reads import read_revision
from stakenet.store.sqlite.writes import (
    WRITTEN_TABLES,
    drop_indexes_if_empty,
    finish_revision,
    write_changes,
)

R = TypeVar("R")

BULK_CACHE_KIB = 512 * 1024


class _Changes:
    """The writes of one bulk write so far, within its transaction."""

    def __init__(self) -> None:
        self._log: ChangeLog | None = None
        self._dropped_indexes: list[str] = []
        self._stakeholders_written: set[str] = set()

    def write(self, connection: sqlite3.Connection, batch: WriteBatch) -> None:
        if self._log is None:
            self._log = ChangeLog(read_revision(connection) + 1)
            # Loading into empty tables (a first import), the indexes are built once at the
            # end, from all the rows, rather than grown a row at a time.
            for table in WRITTEN_TABLES:
                self._dropped_indexes += drop_indexes_if_empty(connection, table)
        write_changes(connection, batch, self._log, self._stakeholders_written)
        # Each batch's changes go to the log now: a part of the revision's change set.
        self._log.write(connection, forget=True)

    def finish(self, connection: sqlite3.Connection, audit: AuditEntry | None) -> int | None:
        """Make the revision current; None if nothing changed (nothing to commit).

        The indexes dropped for the load come back either way: an in-memory database commits
        even a bulk write that changed nothing.
        """
        for sql in self._dropped_indexes:
            connection.execute(sql)
        self._dropped_indexes = []
        if self._log is None or not self._log:
            return None
        finish_revision(connection, self._log, audit)
        return self._log.revision


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
    """A bulk write on a database file: one connection and one thread, one transaction."""

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        write_lock: threading.Lock,
    ) -> None:
        self._connect = connect
        self._write_lock = write_lock
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stakenet-bulk")
        self._connection: sqlite3.Connection | None = None
        self._locked = False
        self._changes = _Changes()
        self._closed = _Closed()

    async def _run(self, work: Callable[[], R]) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, translated, work)

    async def begin(self) -> None:
        def begin() -> None:
            self._connection = self._connect()
            # A long transaction whose pages outgrow the cache spills them to the log file
            # mid-way and reads them back through it; a bigger cache (allocated as used) keeps
            # the pages of a large import in memory until the commit.
            self._connection.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
            # Taken and released on this bulk write's own thread, at its start and its end.
            self._write_lock.acquire()
            self._locked = True
            self._connection.execute("BEGIN IMMEDIATE")

        await self._run(begin)

    async def write(self, batch: WriteBatch) -> None:
        self._closed.check()
        connection = self._require_connection()
        try:
            await self._run(lambda: self._changes.write(connection, batch))
        except BaseException:
            self._closed.failed = True
            raise

    async def commit(self, audit: AuditEntry | None = None) -> int:
        self._closed.check()
        self._closed.committed = True
        connection = self._require_connection()

        def commit() -> int:
            revision = self._changes.finish(connection, audit)
            if revision is None:
                connection.execute("ROLLBACK")
                return read_revision(connection)
            connection.execute("COMMIT")
            return revision

        return await self._run(commit)

    async def end(self) -> None:
        """Roll back whatever was not committed, close the connection, free the lock."""

        def end() -> None:
            try:
                if self._connection is not None:
                    if self._connection.in_transaction:
                        self._connection.execute("ROLLBACK")
                    self._connection.close()
            finally:
                if self._locked:
                    self._locked = False
                    self._write_lock.release()

        try:
            await self._run(end)
        finally:
            self._thread.shutdown(wait=False)

    def _require_connection(self) -> sqlite3.Connection:
        if self._connection is None:
            raise RuntimeError("This bulk write has not begun.")
        return self._connection


class DeferredBulkWrite:
    """A bulk write on an in-memory database: the batches are written together at commit."""

    def __init__(
        self, write: Callable[[Callable[[sqlite3.Connection], int]], Awaitable[int]]
    ) -> None:
        self._write = write
        self._batches: list[WriteBatch] = []
        self._closed = _Closed()

    async def write(self, batch: WriteBatch) -> None:
        self._closed.check()
        self._batches.append(batch)

    async def commit(self, audit: AuditEntry | None = None) -> int:
        self._closed.check()
        self._closed.committed = True
        batches, self._batches = self._batches, []
        changes = _Changes()

        def write_all(connection: sqlite3.Connection) -> int:
            for batch in batches:
                changes.write(connection, batch)
            revision = changes.finish(connection, audit)
            # Nothing changed, so nothing was written: the empty transaction commits as is.
            return read_revision(connection) if revision is None else revision

        return await self._write(write_all)
