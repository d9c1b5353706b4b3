"""Bulk writes: several `WriteBatch`es written at one revision (`BulkWrite` of the port), for a
streamed import, committed by one explicit write transaction.

Each batch is written by the same functions as `Neo4jStore.apply` writes one (`writes`), in that
transaction, except the batches of a first import, which are staged in transactions of their
own and published by it (`first_import`); this module owns the transaction's lifetime around
them: the store's write lock, the session, the revision bump, the change-log numbering across
batches, commit, and rollback with the removal of what was staged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Literal

import neo4j

from stakenet.domain.access import AuditEntry
from stakenet.store.neo4j.changes import ChangeLog
from stakenet.store.neo4j.errors import DRIVER_ERRORS, translated
from stakenet.store.neo4j.first_import import FirstImport, StagedParts, remove_staged
from stakenet.store.neo4j.queries import read_revision
from stakenet.store.neo4j.writes import (
    append_changes,
    bump_revision,
    finish_revision,
    holds_no_interaction,
    network_is_empty,
    prune_change_log,
    write_batch_changes,
)
from stakenet.store.port import WriteBatch, write_becomes_irrevocable

log = logging.getLogger(__name__)

# The time limit of a whole bulk write, from begin to commit. Neo4j's timeout covers a whole
# transaction, not each statement, and a streamed import's size is not known when it begins, so
# the limit cannot grow with the work as `apply`'s does: it is a backstop, far above any
# import's writing time, against a client that stalls while the transaction holds the
# revision's write lock (and with it every writer of every process).
DEFAULT_BULK_WRITE_TIMEOUT = 1800.0


class Neo4jBulkWrite:
    """`BulkWrite` on one explicit Neo4j transaction, made by `bulk_transaction`.

    That transaction is not retried: the driver retries a managed transaction by running its
    function again, but the batches written before a failure are no longer at hand (they were
    streamed); a first import's staged parts, each in memory while it is written, are.
    A transient error or a lost connection therefore surfaces as `StoreUnavailable` (a write
    race lost to another process as `Conflict`), and the whole bulk write is rolled back; the
    caller may start it again.

    A batch that fails may have written part of itself, and Neo4j has no savepoints to undo
    just that part, so after a failed `write` the bulk write only rolls back: further writes and
    `commit` raise RuntimeError. Calls must not overlap: a `commit` during a `write` would
    commit half a batch.
    """

    def __init__(
        self,
        tx: neo4j.AsyncTransaction,
        open_session: Callable[..., neo4j.AsyncSession],
        staged_parts: Callable[[], StagedParts],
        transaction_timeout: float,
    ) -> None:
        self._tx = tx
        self._open_session = open_session
        self._staged_parts = staged_parts
        self._transaction_timeout = transaction_timeout
        self._revision: int | None = None  # set by the first batch: the revision it bumped to
        self._last_seq = 0  # seq of the last change row written, once the revision is bumped
        # Into an empty network the change log gets no copy of the rows (`BulkWrite`).
        self._copied_to_log = True
        # Into a network with no stakeholder and no interaction, batches that only create
        # records are checked in memory and staged in transactions of their own, published by
        # this one (`first_import`).
        self._first_import: FirstImport | None = None
        self._staged: StagedParts | None = None
        self._changed = False
        # "open" until `commit` ends it ("committed", also when nothing was left to commit) or
        # a call fails ("failed").
        self._state: Literal["open", "committed", "failed"] = "open"
        self._busy = False

    async def write(self, batch: WriteBatch) -> None:
        """Write `batch` as `apply` would, within the bulk write; its `audit` is not used."""
        self._start("write")
        try:
            if len(batch) == 0:
                return
            with translated():
                if self._revision is None:
                    self._revision, self._last_seq = await bump_revision(self._tx)
                    self._copied_to_log = not await network_is_empty(self._tx)
                    if not self._copied_to_log and await holds_no_interaction(self._tx):
                        self._first_import = FirstImport()
                        self._staged = self._staged_parts()
                now = datetime.now(UTC)
                if self._first_import is not None and self._first_import.takes(batch):
                    # Nothing is copied to the log: the network was empty. The server writes
                    # the part while the caller checks the next batch.
                    assert self._staged is not None
                    await self._staged.stage(batch, now)
                    self._changed = True
                    return
                if self._staged is not None:
                    # The general way looks up what the import wrote: in this transaction.
                    await self._staged.publish(self._tx)
                changes = ChangeLog(self._revision)
                await write_batch_changes(self._tx, batch, now, changes)
                # One entry per entity per batch: an entity written by two batches is logged
                # twice, the later entry last, as the port describes.
                if self._copied_to_log:
                    self._last_seq = await append_changes(self._tx, changes, self._last_seq)
            self._changed = self._changed or bool(changes)
        except BaseException:
            self._state = "failed"
            raise
        finally:
            self._busy = False

    async def commit(self, audit: AuditEntry | None = None) -> int:
        """Commit the batches with `audit` at their revision; see `BulkWrite.commit`."""
        self._start("commit")
        try:
            with translated():
                if self._staged is not None:
                    await self._staged.publish(self._tx)
                if self._revision is None:
                    current = await read_revision(self._tx)
                    await self._tx.rollback()
                    self._state = "committed"
                    return current
                if not self._changed:
                    # Only deletes of ids that were already gone: undo the bump. The bump holds
                    # the revision's write lock, so nothing has moved it since.
                    await self._tx.rollback()
                    self._state = "committed"
                    return self._revision - 1
                await finish_revision(self._tx, self._revision, self._last_seq, audit)
                if not self._copied_to_log:
                    # Its revision becomes the horizon: no follower can read past it in the log.
                    await prune_change_log(self._tx, keep_revisions=0)
                await write_becomes_irrevocable()
                await self._tx.commit()
                self._state = "committed"
                return self._revision
        except BaseException:
            self._state = "failed"
            raise
        finally:
            self._busy = False

    def _start(self, call: str) -> None:
        if self._state == "failed":
            raise RuntimeError(f"Cannot {call}: this bulk write failed; it can only roll back.")
        if self._state == "committed":
            raise RuntimeError(f"Cannot {call}: this bulk write is already committed.")
        if self._busy:
            raise RuntimeError(f"Cannot {call}: another call on this bulk write is running.")
        self._busy = True

    async def close(self) -> None:
        """Roll back unless committed, and remove what a first import staged, never raising:
        a failed rollback leaves nothing behind (the server drops a transaction whose
        connection goes), staged records left behind are removed by the next write, and
        raising here would hide the exception that is leaving the bulk write, if one is."""
        staged = self._staged
        if staged is not None:
            await staged.abandon()
        try:
            await self._tx.close()
        except DRIVER_ERRORS:
            log.warning("Rolling back a bulk write failed", exc_info=True)
        if staged is not None and staged.staged and self._state != "committed":
            await self._remove_staged()

    async def _remove_staged(self) -> None:
        try:
            timed = neo4j.unit_of_work(timeout=self._transaction_timeout)(remove_staged)
            async with self._open_session() as session:
                await session.execute_write(timed)
        except DRIVER_ERRORS:
            log.warning(
                "Removing the parts of a failed import failed; the next write removes them",
                exc_info=True,
            )


@contextlib.asynccontextmanager
async def bulk_transaction(
    write_lock: asyncio.Lock,
    open_session: Callable[..., neo4j.AsyncSession],
    staged_parts: Callable[[], StagedParts],
    transaction_timeout: float,
) -> AsyncIterator[Neo4jBulkWrite]:
    """A `Neo4jBulkWrite` holding `write_lock` from start to end, on a session of its own.

    The lock queues the store's other writers behind the bulk write, rather than letting them
    race it on the server (they would wait there for the revision's write lock anyway).
    """
    async with write_lock:
        with translated():
            session = open_session()
        try:
            with translated():
                tx = await session.begin_transaction(timeout=transaction_timeout)
            bulk = Neo4jBulkWrite(tx, open_session, staged_parts, transaction_timeout)
            try:
                yield bulk
            finally:
                await bulk.close()
        finally:
            try:
                await session.close()
            except DRIVER_ERRORS:
                # The transaction is settled by now; a session that fails to close loses nothing.
                log.warning("Closing the session of a bulk write failed", exc_info=True)
