"""`SQLiteStore`: the store port (`Store`) on SQLite, its connections, worker threads and
transactions; the SQL itself lives in the modules beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from stakenet.domain.access import ApiToken, AuditEntry
from stakenet.domain.alerts import Alert, AlertUpdate
from stakenet.domain.errors import (
    Issue,
    StoreUnavailable,
    ValidationFailed,
)
from stakenet.domain.model import (
    Change,
    Counts,
    GraphData,
    Interaction,
    Stakeholder,
    Tie,
    TieKind,
)
from stakenet.store.codec import (
    decode_cursor,
)
from stakenet.store.port import (
    AlertFilter,
    BulkWrite,
    Direction,
    Page,
    PageRequest,
    StakeholderFilter,
    StakeholderOrder,
    Store,
    WriteBatch,
    WriteResult,
    check_keep_revisions,
    write_becomes_irrevocable,
)
from stakenet.store.sqlite import access, alerts
from stakenet.store.sqlite.binding import register_direct_adapters
from stakenet.store.sqlite.bulk import WRITER_FROM_ROWS, DeferredBulkWrite, FileBulkWrite
from stakenet.store.sqlite.changes import (
    changes_since,
    prune_change_log,
)
from stakenet.store.sqlite.connection import connect
from stakenet.store.sqlite.errors import translated
from stakenet.store.sqlite.reads import (
    counts,
    interactions_of,
    interactions_where,
    load_all,
    read_revision,
    reading,
    stakeholder_page,
    stakeholders_where,
    ties_of,
    ties_where,
)
from stakenet.store.sqlite.schema import Migration, bundled_migrations, migrate
from stakenet.store.sqlite.writes import (
    erase_stakeholder,
    write_batch,
)

R = TypeVar("R")


FILE_WORKERS = 4


class SQLiteStore:
    """A `Store` on an SQLite database at `path` (a file path, or ":memory:")."""

    def __init__(
        self,
        path: str,
        *,
        migrations: Sequence[Migration] | None = None,
        workers: int = FILE_WORKERS,
        bulk_writer_rows: int = WRITER_FROM_ROWS,
    ) -> None:
        """`bulk_writer_rows`: how many rows a bulk write on a file holds before it hands them
        to a writer process (0: from its first batch)."""
        self.path = path
        self._bulk_writer_rows = bulk_writer_rows
        self._in_memory = path == ":memory:"
        self._migrations = list(migrations) if migrations is not None else None
        self._workers = 1 if self._in_memory else workers
        self._executor: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._write_lock = threading.Lock()
        # Writers of this process queue here, without holding a worker thread while they wait
        # (a bulk write holds the turn for as long as it lasts).
        self._write_turn = asyncio.Lock()
        register_direct_adapters()

    # -- lifecycle and plumbing

    async def open(self) -> None:
        if self._executor is not None:
            return
        self._local = threading.local()
        self._executor = ThreadPoolExecutor(
            max_workers=self._workers, thread_name_prefix="stakenet-sqlite"
        )
        try:
            await self._run(self._migrate)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            # Closing connections is a sqlite3 call too, so it stays off the event loop.
            await asyncio.to_thread(self._shut_down, executor)

    def _shut_down(self, executor: ThreadPoolExecutor) -> None:
        executor.shutdown(wait=True)
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()

    async def _run(self, work: Callable[[sqlite3.Connection], R]) -> R:
        executor = self._executor
        if executor is None:
            raise StoreUnavailable("The SQLite store is not open.")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, self._call, work)

    def _call(self, work: Callable[[sqlite3.Connection], R]) -> R:
        return translated(lambda: work(self._connection()))

    def _connection(self) -> sqlite3.Connection:
        connection = cast(sqlite3.Connection | None, getattr(self._local, "connection", None))
        if connection is None:
            connection = self._connect()
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path)

    @contextlib.contextmanager
    def _writing(self, connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        with self._write_lock:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                # SQLite may already have rolled back (e.g. on a full disk).
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def _migrate(self, connection: sqlite3.Connection) -> None:
        migrations = self._migrations if self._migrations is not None else bundled_migrations()
        migrate(connection, migrations, self._writing)

    async def _read(self, work: Callable[[sqlite3.Connection], R]) -> R:
        """Run `work` in one read transaction, on a worker."""

        def read(connection: sqlite3.Connection) -> R:
            with reading(connection):
                return work(connection)

        return await self._run(read)

    async def _write(self, work: Callable[[sqlite3.Connection], R]) -> R:
        """Run `work` in one write transaction, on a worker."""

        async with self._write_turn:
            return await self._write_in_turn(work)

    async def _write_in_turn(self, work: Callable[[sqlite3.Connection], R]) -> R:
        """`_write` for a caller that holds the write turn already."""

        def write(connection: sqlite3.Connection) -> R:
            with self._writing(connection):
                return work(connection)

        # A worker thread cannot be stopped: once it has the work, the work is done.
        await write_becomes_irrevocable()
        return await self._run(write)

    # -- reads

    async def revision(self) -> int:
        return await self._run(read_revision)

    async def counts(self) -> Counts:
        return await self._read(counts)

    async def get_stakeholders(self, ids: Sequence[str]) -> list[Stakeholder | None]:
        return await self._get_in_order(ids, "id", stakeholders_where)

    async def get_stakeholders_by_key(self, keys: Sequence[str]) -> list[Stakeholder | None]:
        return await self._get_in_order(keys, "key", stakeholders_where)

    async def get_ties(self, ids: Sequence[str]) -> list[Tie | None]:
        return await self._get_in_order(ids, "id", ties_where)

    async def get_ties_by_key(self, keys: Sequence[str]) -> list[Tie | None]:
        return await self._get_in_order(keys, "key", ties_where)

    async def get_interactions(self, ids: Sequence[str]) -> list[Interaction | None]:
        return await self._get_in_order(ids, "id", interactions_where)

    async def get_interactions_by_key(self, keys: Sequence[str]) -> list[Interaction | None]:
        return await self._get_in_order(keys, "key", interactions_where)

    async def _get_in_order(
        self,
        values: Sequence[str],
        column: str,
        fetch: Callable[[sqlite3.Connection, str, Sequence[str]], list[Any]],
    ) -> list[Any]:
        wanted = list(dict.fromkeys(values))
        if not wanted:
            return []

        def get(connection: sqlite3.Connection) -> list[Any]:
            with reading(connection):
                found = fetch(connection, column, wanted)
            by_value = {getattr(entity, column): entity for entity in found}
            return [by_value.get(value) for value in values]

        return await self._run(get)

    async def find_stakeholders(
        self,
        where: StakeholderFilter,
        page: PageRequest,
        order: StakeholderOrder = StakeholderOrder.NAME,
    ) -> Page[Stakeholder]:
        page.check()
        after = None if page.after is None else decode_cursor(page.after, order)
        return await self._run(
            lambda connection: stakeholder_page(connection, where, page, order, after)
        )

    async def ties_of(
        self,
        stakeholder_ids: Sequence[str],
        kinds: Sequence[TieKind] = (),
        direction: Direction = Direction.BOTH,
    ) -> list[Tie]:
        ids = list(dict.fromkeys(stakeholder_ids))
        kind_values = [kind.value for kind in dict.fromkeys(kinds)]
        return await self._run(lambda connection: ties_of(connection, ids, kind_values, direction))

    async def interactions_of(
        self, stakeholder_ids: Sequence[str], since: datetime | None = None
    ) -> list[Interaction]:
        ids = list(dict.fromkeys(stakeholder_ids))
        return await self._run(lambda connection: interactions_of(connection, ids, since))

    async def load_all(self) -> GraphData:
        return await self._run(load_all)

    async def changes_since(self, revision: int, limit: int = 10_000) -> list[Change]:
        if limit < 1:
            raise ValidationFailed([Issue("limit", f"limit must be at least 1, not {limit}.")])
        return await self._read(lambda connection: changes_since(connection, revision, limit))

    async def prune_change_log(self, keep_revisions: int) -> int:
        check_keep_revisions(keep_revisions)
        return await self._write(lambda connection: prune_change_log(connection, keep_revisions))

    # -- writes

    @contextlib.asynccontextmanager
    async def bulk_write(self) -> AsyncIterator[BulkWrite]:
        if self._executor is None:
            raise StoreUnavailable("The SQLite store is not open.")
        async with self._write_turn:
            # An in-memory database shares its one connection with readers, so its bulk
            # writes are all written at commit (bulk.py).
            writer = None if self._in_memory else self._bulk_writer
            bulk = DeferredBulkWrite(self._write_in_turn, writer, self._bulk_writer_rows)
            try:
                yield bulk
            finally:
                await bulk.end()

    def _bulk_writer(self) -> FileBulkWrite:
        return FileBulkWrite(self.path, self._write_lock)

    async def apply(self, batch: WriteBatch) -> WriteResult:
        if len(batch) == 0:
            return WriteResult(await self.revision(), [])
        log = await self._write(lambda connection: write_batch(connection, batch))
        if not log:
            # Nothing changed, so the revision stays (the transaction committed nothing).
            return WriteResult(log.revision - 1, [])
        return WriteResult(log.revision, log.changes() if batch.report_changes else [])

    # -- access: tokens and the audit trail

    async def create_token(self, token: ApiToken) -> None:
        await self._write(lambda connection: access.create_token(connection, token))

    async def list_tokens(self) -> list[ApiToken]:
        return await self._run(access.list_tokens)

    async def revoke_token(self, name: str, at: datetime) -> ApiToken:
        return await self._write(lambda connection: access.revoke_token(connection, name, at))

    async def token_by_digest(self, digest: str) -> ApiToken | None:
        return await self._run(lambda connection: access.token_by_digest(connection, digest))

    async def active_token_count(self) -> int:
        return await self._run(access.active_token_count)

    async def record_audit(self, entry: AuditEntry) -> AuditEntry:
        return await self._write(lambda connection: access.insert_audit(connection, entry))

    async def audit_entries(
        self,
        after_seq: int = 0,
        first: int = 100,
        entity_id: str | None = None,
        *,
        ids_limit: int | None = None,
    ) -> list[AuditEntry]:
        return await self._run(
            lambda connection: access.audit_entries(
                connection, after_seq, first, entity_id, ids_limit
            )
        )

    async def erase_stakeholder(
        self, stakeholder_id: str, audit: AuditEntry, tombstone: str
    ) -> WriteResult:
        def erase(connection: sqlite3.Connection) -> WriteResult:
            with self._writing(connection):
                log = erase_stakeholder(connection, stakeholder_id, audit, tombstone)
                alerts.delete_alerts_naming(connection, stakeholder_id)
            if not self._in_memory:
                # Move the WAL's copies of the erased pages into the (zeroed) file and empty it.
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return WriteResult(log.revision, log.changes())

        return await self._run(erase)

    # -- alerts

    async def record_alerts(self, update: AlertUpdate) -> list[Alert]:
        return await self._write(lambda connection: alerts.record_alerts(connection, update))

    async def open_alerts(self) -> list[Alert]:
        return await self._read(alerts.open_alerts)

    async def alerts(self, where: AlertFilter, page: PageRequest) -> Page[Alert]:
        page.check()
        return await self._read(lambda connection: alerts.alert_page(connection, where, page))

    async def last_alert_seq(self) -> int:
        return await self._run(alerts.last_alert_seq)


if TYPE_CHECKING:

    def _implements_the_port(store: SQLiteStore) -> Store:
        # mypy proves here that the adapter implements every protocol of the port (`Store`
        # is all of them): a method missing or mistyped fails the type check, named.
        return store
