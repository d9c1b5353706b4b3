"""`Neo4jStore`: the store port (`Store`) on Neo4j, its driver, sessions and managed
transactions; the Cypher and the transaction functions live in the modules beside it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, LiteralString, TypeVar

import neo4j

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
from stakenet.domain.text import fold
from stakenet.store.codec import (
    decode_cursor,
    stakeholder_from_dict,
    tie_from_dict,
)
from stakenet.store.neo4j import access, alerts, reads
from stakenet.store.neo4j.bulk import DEFAULT_BULK_WRITE_TIMEOUT, bulk_transaction
from stakenet.store.neo4j.cypher import (
    INTERACTIONS_BY_ID,
    INTERACTIONS_BY_KEY,
    STAKEHOLDERS_BY_ID,
    STAKEHOLDERS_BY_KEY,
    TIES_BY_ID,
    TIES_BY_KEY,
    stakeholder_listing,
)
from stakenet.store.neo4j.errors import translated
from stakenet.store.neo4j.first_import import StagedParts
from stakenet.store.neo4j.migration import migrate_network, note_schema_version, schema_version
from stakenet.store.neo4j.queries import interactions_by, read_revision
from stakenet.store.neo4j.records import utc_text
from stakenet.store.neo4j.schema import bundled_schema
from stakenet.store.neo4j.writes import (
    Unchanged,
    apply_batch,
    ensure_meta,
    erase_stakeholder,
    prune_change_log,
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
    alert_seq_of,
    check_keep_revisions,
    write_becomes_irrevocable,
)

log = logging.getLogger(__name__)


# Stores opened at once on a new database (replicas started together) apply the schema at the
# same moment: Neo4j may pick one of them as a deadlock victim, or refuse a rule another has
# just created despite IF NOT EXISTS. Every statement is idempotent, so it is run again.
SCHEMA_ATTEMPTS = 20
SCHEMA_RULE_EXISTS = frozenset(
    {
        "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists",
        "Neo.ClientError.Schema.ConstraintAlreadyExists",
        "Neo.ClientError.Schema.IndexAlreadyExists",
    }
)


async def _apply_schema_statement(session: neo4j.AsyncSession, query: neo4j.Query) -> None:
    for attempt in range(1, SCHEMA_ATTEMPTS + 1):
        try:
            result = await session.run(query)
            await result.consume()
            return
        except neo4j.exceptions.Neo4jError as error:
            colliding = isinstance(error, neo4j.exceptions.TransientError) or (
                error.code in SCHEMA_RULE_EXISTS
            )
            if not colliding or attempt == SCHEMA_ATTEMPTS:
                raise
            log.info("schema statement collided with another store's (%s); again", error.code)
            await asyncio.sleep(0.05 * attempt)


R = TypeVar("R")

DEFAULT_QUERY_TIMEOUT = 60.0
# How long managed transactions retry transient failures (a lost connection included) before
# the store answers StoreUnavailable; the driver's own default of 30 s is too long for an API.
DEFAULT_RETRY_TIME = 5.0
CONNECTION_TIMEOUT = 5.0
# Extra time a batch's transaction may take per thousand entities, on top of the query timeout:
# many times what a thousand ties take on the test server (Neo4j 5.26, 2 cores).
SECONDS_PER_THOUSAND_ROWS = 2.0


class _Secret:
    """A value that shows as *** in reprs, `vars()` dumps and error reports."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'***'"


class Neo4jStore:
    """A `Store` on a Neo4j (or Bolt-compatible) database.

    `uri` carries no credentials (`bolt://host:7687`, `neo4j+s://…`); `user` and `password`
    are given apart, and the password appears in no repr, log line or error message.
    """

    def __init__(
        self,
        uri: str,
        user: str,
        password: str,
        database: str,
        *,
        query_timeout: float = DEFAULT_QUERY_TIMEOUT,
        max_retry_time: float = DEFAULT_RETRY_TIME,
        connection_timeout: float = CONNECTION_TIMEOUT,
        bulk_write_timeout: float = DEFAULT_BULK_WRITE_TIMEOUT,
    ) -> None:
        self.uri = uri
        self.user = user
        self.database = database
        self.query_timeout = query_timeout
        self.max_retry_time = max_retry_time
        self.connection_timeout = connection_timeout
        self.bulk_write_timeout = bulk_write_timeout
        self._password = _Secret(password)
        self._driver: neo4j.AsyncDriver | None = None
        self._write_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"Neo4jStore(uri={self.uri!r}, user={self.user!r}, database={self.database!r})"

    # -- lifecycle and plumbing

    async def open(self) -> None:
        if self._driver is not None:
            return
        with translated():
            driver = neo4j.AsyncGraphDatabase.driver(
                self.uri,
                auth=(self.user, self._password.reveal()),
                connection_timeout=self.connection_timeout,
                max_transaction_retry_time=self.max_retry_time,
                user_agent="stakenet",
                # The store's own queries are linted; the server's hints about them (a label
                # or property not in the database yet) would only reach the log as warnings.
                notifications_min_severity="OFF",
            )
        try:
            with translated():
                await driver.verify_connectivity()
                await self._migrate(driver)
            self._driver = driver
            await self._write(ensure_meta)
        except BaseException:
            self._driver = None
            await driver.close()
            raise
        log.info("Opened %r", self)

    async def close(self) -> None:
        driver, self._driver = self._driver, None
        if driver is not None:
            await driver.close()

    async def _migrate(self, driver: neo4j.AsyncDriver) -> None:
        # Schema statements run one by one in auto-commit transactions: Neo4j does not mix
        # schema and data writes in one transaction. All are idempotent, so rerunning is safe;
        # so is moving data of an earlier graph model, which finds nothing once done. A
        # database that notes the newest script as applied is not asked again (one read).
        async with driver.session(database=self.database) as session:
            scripts = bundled_schema()
            if await schema_version(session) < scripts[-1].version:
                for script in scripts:
                    for statement in script.statements:
                        query = neo4j.Query(statement, timeout=self.query_timeout)
                        await _apply_schema_statement(session, query)
                await note_schema_version(session, scripts[-1].version)
            await migrate_network(session, self.query_timeout)

    def _session(self, access_mode: str, **config: Any) -> neo4j.AsyncSession:
        if self._driver is None:
            raise StoreUnavailable("The Neo4j store is not open.")
        return self._driver.session(
            database=self.database, default_access_mode=access_mode, **config
        )

    async def _read(self, work: Callable[..., Awaitable[R]], *args: Any) -> R:
        with translated():
            async with self._session(neo4j.READ_ACCESS) as session:
                timed = neo4j.unit_of_work(timeout=self.query_timeout)(work)
                return await session.execute_read(timed, *args)

    async def _write(
        self, work: Callable[..., Awaitable[R]], *args: Any, server_timeout: float | None = None
    ) -> R:
        """Run `work` in a managed write transaction; the driver retries transient errors.

        Every write takes the revision's write lock first (`GraphMeta`), so writers of all
        processes run one after another on the server; keys a batch gets wrong are caught
        before writing, as Conflict.
        """
        with translated():
            # Writers of this process queue here rather than wait on the server's lock.
            async with self._write_lock, self._session(neo4j.WRITE_ACCESS) as session:
                timed = neo4j.unit_of_work(timeout=server_timeout or self.query_timeout)(work)
                # A transaction cancelled on our side may still commit on the server.
                await write_becomes_irrevocable()
                return await session.execute_write(timed, *args)

    # -- reads

    async def revision(self) -> int:
        return await self._read(read_revision)

    async def counts(self) -> Counts:
        return await self._read(reads.counts)

    async def get_stakeholders(self, ids: Sequence[str]) -> list[Stakeholder | None]:
        found = await self._fetch(STAKEHOLDERS_BY_ID, ids, stakeholder_from_dict)
        return _in_order(ids, found, lambda s: s.id)

    async def get_stakeholders_by_key(self, keys: Sequence[str]) -> list[Stakeholder | None]:
        found = await self._fetch(STAKEHOLDERS_BY_KEY, keys, stakeholder_from_dict)
        return _in_order(keys, found, lambda s: s.key)

    async def get_ties(self, ids: Sequence[str]) -> list[Tie | None]:
        return _in_order(ids, await self._fetch(TIES_BY_ID, ids, tie_from_dict), lambda t: t.id)

    async def get_ties_by_key(self, keys: Sequence[str]) -> list[Tie | None]:
        found = await self._fetch(TIES_BY_KEY, keys, tie_from_dict)
        return _in_order(keys, found, lambda t: t.key)

    async def get_interactions(self, ids: Sequence[str]) -> list[Interaction | None]:
        found = await self._fetch_interactions(INTERACTIONS_BY_ID, ids)
        return _in_order(ids, found, lambda i: i.id)

    async def get_interactions_by_key(self, keys: Sequence[str]) -> list[Interaction | None]:
        found = await self._fetch_interactions(INTERACTIONS_BY_KEY, keys)
        return _in_order(keys, found, lambda i: i.key)

    async def _fetch(
        self, query: LiteralString, values: Sequence[str], decode: Callable[[Any], R]
    ) -> list[R]:
        wanted = list(dict.fromkeys(values))
        if not wanted:
            return []
        return await self._read(reads.fetch, query, wanted, decode)

    async def _fetch_interactions(
        self, query: LiteralString, values: Sequence[str]
    ) -> list[Interaction]:
        wanted = list(dict.fromkeys(values))
        if not wanted:
            return []
        return await self._read(interactions_by, query, wanted)

    async def find_stakeholders(
        self,
        where: StakeholderFilter,
        page: PageRequest,
        order: StakeholderOrder = StakeholderOrder.NAME,
    ) -> Page[Stakeholder]:
        page.check()
        after = None if page.after is None else decode_cursor(page.after, order)
        # Only the filters that are set are sent, and only their conditions are in the query.
        params: dict[str, Any] = {}
        if where.kind is not None:
            params["kind"] = where.kind.value
        if where.search:
            params["search"] = fold(where.search)
        if where.tags:
            params["tags"] = list(dict.fromkeys(where.tags))
        if where.internal is not None:
            params["internal"] = where.internal
        if where.updated_since is not None:
            params["updated_since"] = utc_text(where.updated_since)
        query, count = stakeholder_listing(params, order, after=after is not None)
        cursor = {} if after is None else {"after_sort": after[0], "after_id": after[1]}
        return await self._read(
            reads.stakeholder_page, query, count, params, cursor, page.first, order
        )

    async def ties_of(
        self,
        stakeholder_ids: Sequence[str],
        kinds: Sequence[TieKind] = (),
        direction: Direction = Direction.BOTH,
    ) -> list[Tie]:
        ids = list(dict.fromkeys(stakeholder_ids))
        if not ids:
            return []
        kind_values = [kind.value for kind in dict.fromkeys(kinds)]
        return await self._read(reads.ties_of, ids, kind_values, direction)

    async def interactions_of(
        self, stakeholder_ids: Sequence[str], since: datetime | None = None
    ) -> list[Interaction]:
        ids = list(dict.fromkeys(stakeholder_ids))
        if not ids:
            return []
        cutoff = None if since is None else utc_text(since)
        return await self._read(reads.interactions_of, ids, cutoff)

    async def load_all(self) -> GraphData:
        return await self._read(reads.load_all)

    async def changes_since(self, revision: int, limit: int = 10_000) -> list[Change]:
        if limit < 1:
            raise ValidationFailed([Issue("limit", f"limit must be at least 1, not {limit}.")])
        return await self._read(reads.changes_since, revision, limit)

    async def prune_change_log(self, keep_revisions: int) -> int:
        check_keep_revisions(keep_revisions)
        return await self._write(prune_change_log, keep_revisions)

    # -- writes

    async def apply(self, batch: WriteBatch) -> WriteResult:
        if len(batch) == 0:
            return WriteResult(await self.revision(), [])
        try:
            # One transaction holds the whole batch: its time limit grows with the batch.
            limit = self.query_timeout + len(batch) / 1000 * SECONDS_PER_THOUSAND_ROWS
            return await self._write(apply_batch, batch, server_timeout=limit)
        except Unchanged as unchanged:
            return WriteResult(unchanged.revision, [])

    def bulk_write(self) -> AbstractAsyncContextManager[BulkWrite]:
        # An explicit transaction, not retried, holding `_write_lock` throughout (see `bulk`).
        return bulk_transaction(
            self._write_lock,
            lambda **config: self._session(neo4j.WRITE_ACCESS, **config),
            lambda: StagedParts(self._parts_driver, self.database, self.bulk_write_timeout),
            self.bulk_write_timeout,
        )

    def _parts_driver(self) -> neo4j.Driver:
        """A driver for the threads that write a first import's parts (`StagedParts`)."""
        with translated():
            return neo4j.GraphDatabase.driver(
                self.uri,
                auth=(self.user, self._password.reveal()),
                connection_timeout=self.connection_timeout,
                user_agent="stakenet",
                notifications_min_severity="OFF",
            )

    # -- access: tokens and the audit trail

    async def create_token(self, token: ApiToken) -> None:
        await self._write(access.create_token, token)

    async def list_tokens(self) -> list[ApiToken]:
        return await self._read(access.list_tokens)

    async def revoke_token(self, name: str, at: datetime) -> ApiToken:
        return await self._write(access.revoke_token, name, at)

    async def token_by_digest(self, digest: str) -> ApiToken | None:
        return await self._read(access.token_by_digest, digest)

    async def active_token_count(self) -> int:
        return await self._read(access.active_token_count)

    async def record_audit(self, entry: AuditEntry) -> AuditEntry:
        return await self._write(access.insert_audit, entry)

    async def audit_entries(
        self,
        after_seq: int = 0,
        first: int = 100,
        entity_id: str | None = None,
        *,
        ids_limit: int | None = None,
    ) -> list[AuditEntry]:
        return await self._read(access.audit_entries, after_seq, first, entity_id, ids_limit)

    async def erase_stakeholder(
        self, stakeholder_id: str, audit: AuditEntry, tombstone: str
    ) -> WriteResult:
        # Deleted records stay in Neo4j's store files until their space is reused; the data is
        # no longer readable through Cypher or the change log.
        return await self._write(erase_stakeholder, stakeholder_id, audit, tombstone)

    # -- alerts

    async def record_alerts(self, update: AlertUpdate) -> list[Alert]:
        return await self._write(alerts.record_alerts, update)

    async def open_alerts(self) -> list[Alert]:
        return await self._read(alerts.open_alerts)

    async def alerts(self, where: AlertFilter, page: PageRequest) -> Page[Alert]:
        page.check()
        alert_seq_of(page.after)  # a cursor no listing gave is refused before the query
        return await self._read(alerts.alert_page, where, page)

    async def last_alert_seq(self) -> int:
        return await self._read(alerts.last_alert_seq)


if TYPE_CHECKING:

    def _implements_the_port(store: Neo4jStore) -> Store:
        # mypy proves here that the adapter implements every protocol of the port (`Store`
        # is all of them): a method missing or mistyped fails the type check, named.
        return store


def _in_order(
    asked: Sequence[str], found: Iterable[R], value_of: Callable[[R], str | None]
) -> list[R | None]:
    by_value = {value_of(entity): entity for entity in found}
    return [by_value.get(value) for value in asked]
