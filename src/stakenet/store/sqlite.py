"""The embedded SQLite store: the default `GraphStore`, one database file per graph.

sqlite3 blocks, so every call runs on the store's own thread pool, each worker with its own
connection (an in-memory database lives in one connection, so it gets exactly one worker).
Writes are `BEGIN IMMEDIATE` transactions, also serialised in-process by a lock; reads that
take several SELECTs share one read transaction, so they see one snapshot. sqlite3 exceptions
are translated into domain errors in one place, `translate_error`.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.resources
import json
import operator
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, TypeVar, cast

import orjson

from stakenet.domain.access import ApiToken, AuditEntry, Role
from stakenet.domain.errors import (
    Conflict,
    Issue,
    NotFound,
    StakenetError,
    StoreUnavailable,
    ValidationFailed,
)
from stakenet.domain.model import (
    Change,
    ChangeOp,
    Counts,
    DecisionRole,
    Entity,
    EntityType,
    Evidence,
    GraphData,
    Interaction,
    InteractionKind,
    OrganizationCategory,
    Participant,
    Seniority,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)
from stakenet.domain.text import fold
from stakenet.store.codec import (
    decode_cursor,
    encode_cursor,
    entity_from_dict,
)
from stakenet.store.port import (
    Direction,
    Page,
    PageRequest,
    StakeholderFilter,
    StakeholderOrder,
    WriteBatch,
    WriteResult,
)

R = TypeVar("R")

FILE_WORKERS = 4
BUSY_TIMEOUT_MS = 10_000
CACHE_KIB = 64 * 1024

# --- errors -------------------------------------------------------------------------------------


def _error_name(exc: sqlite3.Error) -> str:
    # Set by sqlite3 on errors it raises (Python 3.11+); absent on hand-made instances.
    return getattr(exc, "sqlite_errorname", None) or ""


def _integrity_error(exc: sqlite3.Error) -> StakenetError:
    name, message = _error_name(exc), str(exc)
    if name == "SQLITE_CONSTRAINT_FOREIGNKEY" or message.startswith("FOREIGN KEY"):
        return NotFound("A stakeholder, tie or interaction this write refers to does not exist.")
    if name in {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"} or message.startswith(
        "UNIQUE"
    ):
        return Conflict("A key or id in this write is already used by another entity.")
    return ValidationFailed([Issue("", "The write breaks a rule of the database schema.")])


def _operational_error(exc: sqlite3.Error) -> StakenetError:
    name = _error_name(exc)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc):
        return StoreUnavailable("The database is locked by another writer; retry later.")
    return StoreUnavailable(f"The database cannot be used ({name or 'operational error'}).")


def _fixed(error: Callable[[], StakenetError]) -> Callable[[sqlite3.Error], StakenetError]:
    return lambda _exc: error()


# Most specific class first: every sqlite3 class below Error is a subclass of DatabaseError
# except InterfaceError. Messages are ours, never the driver's, so no SQL text leaks out.
ERROR_MAP: tuple[tuple[type[sqlite3.Error], Callable[[sqlite3.Error], StakenetError]], ...] = (
    (sqlite3.IntegrityError, _integrity_error),
    (
        sqlite3.DataError,
        _fixed(lambda: ValidationFailed([Issue("", "A value is too large for the database.")])),
    ),
    (sqlite3.OperationalError, _operational_error),
    (
        sqlite3.NotSupportedError,
        _fixed(lambda: StoreUnavailable("The database does not support an operation it needs.")),
    ),
    (
        sqlite3.InternalError,
        _fixed(lambda: StoreUnavailable("The database reported an internal error.")),
    ),
    (
        sqlite3.ProgrammingError,
        _fixed(lambda: StoreUnavailable("The database connection was closed or misused.")),
    ),
    (
        sqlite3.InterfaceError,
        _fixed(
            lambda: StoreUnavailable("The database driver was used in a way it does not support.")
        ),
    ),
    (
        sqlite3.DatabaseError,
        _fixed(lambda: StoreUnavailable("The database file is damaged or is not a database.")),
    ),
    (sqlite3.Error, _fixed(lambda: StoreUnavailable("The database failed."))),
)


def translate_error(exc: sqlite3.Error) -> StakenetError:
    """The domain error for a sqlite3 exception, per `ERROR_MAP`."""
    for driver_error, to_domain_error in ERROR_MAP:
        if isinstance(exc, driver_error):
            return to_domain_error(exc)
    raise TypeError(f"{type(exc).__name__} is not a sqlite3 error")  # pragma: no cover


# --- migrations ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """The schema migrations shipped in `store/migrations`, named `NNNN_what.sql`, in order."""
    folder = importlib.resources.files("stakenet.store").joinpath("migrations")
    migrations = [
        Migration(int(entry.name.split("_", 1)[0]), entry.name, entry.read_text("utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    ]
    migrations.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in migrations]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"Two schema migrations share a version number: {versions}")
    return migrations


def sql_statements(script: str) -> Iterator[str]:
    """Split a migration script into statements (triggers and comments included)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
    ):
        raise ValueError("A migration script ends with an incomplete statement.")


# --- encoding rows ------------------------------------------------------------------------------


def _as_utc(moment: datetime) -> datetime:
    # A naive datetime is taken to be UTC already.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _utc_text(moment: datetime) -> str:
    """Fixed-width UTC text, so that comparing the strings compares the instants."""
    return _as_utc(moment).isoformat(timespec="microseconds")


def _marks(count: int) -> str:
    return ",".join("?" * count)


def _field_names(entity: type[Any]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(entity))


Convert = Callable[[Any], Any]
Row = Sequence[Any]

# One encoder for every call: json.dumps builds a new one per call when given options.
_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class _Decoder:
    """Turns the columns of a row back into field values; columns are named after the fields.

    Columns hold the field values as they are, except that datetimes and dates are ISO text and
    enums plain text. Conversions are listed only for the columns that need one.
    """

    def __init__(self, columns: tuple[str, ...], decoders: Mapping[str, Convert]) -> None:
        self.columns = columns
        self._decoders = [
            (columns.index(name), _fast(convert)) for name, convert in decoders.items()
        ]

    def __call__(self, row: Row) -> list[Any]:
        values = list(row)
        for index, convert in self._decoders:
            value = values[index]
            if value is not None:
                values[index] = convert(value)
        return values


def _fast(convert: Convert) -> Convert:
    """An enum's members by value are a dict look-up, much cheaper than calling the enum."""
    if isinstance(convert, type) and issubclass(convert, StrEnum):
        return {member.value: member for member in convert}.__getitem__
    return convert


_TIMES_FROM_TEXT: Mapping[str, Convert] = {
    "created_at": datetime.fromisoformat,
    "updated_at": datetime.fromisoformat,
}

_STAKEHOLDER_FIELDS = _field_names(Stakeholder)
# The common fields come first in Stakeholder, ending with the two timestamps; the kind
# attributes after them share one JSON column.
_STAKEHOLDER_COLUMNS = _STAKEHOLDER_FIELDS[: _STAKEHOLDER_FIELDS.index("updated_at") + 1]
_STAKEHOLDER_ATTRIBUTES = _STAKEHOLDER_FIELDS[len(_STAKEHOLDER_COLUMNS) :]
_STAKEHOLDER_DECODER = _Decoder(
    _STAKEHOLDER_COLUMNS,
    {
        **_TIMES_FROM_TEXT,
        "kind": StakeholderKind,
        "internal": bool,
        "tags": lambda text: tuple(json.loads(text)),
    },
)
_ATTRIBUTE_DECODERS: Mapping[str, Convert] = {
    "seniority": _fast(Seniority),
    "category": _fast(OrganizationCategory),
}
_STAKEHOLDER_SELECT = f"SELECT {', '.join(_STAKEHOLDER_COLUMNS)}, attributes FROM stakeholders"  # noqa: S608
_STAKEHOLDER_HEAD = operator.attrgetter(*_STAKEHOLDER_COLUMNS[:-2])
_STAKEHOLDER_ATTRIBUTE_VALUES = operator.attrgetter(*_STAKEHOLDER_ATTRIBUTES)
_INTERNAL = _STAKEHOLDER_COLUMNS.index("internal")
_TAGS = _STAKEHOLDER_COLUMNS.index("tags")


def _stakeholder_row(stakeholder: Stakeholder, created: str, updated: str) -> list[Any]:
    """The stakeholder as `_STAKEHOLDER_SELECT` reads it back: its columns, then attributes."""
    row = [*_STAKEHOLDER_HEAD(stakeholder), created, updated]
    row[_INTERNAL] = int(row[_INTERNAL])
    row[_TAGS] = _json(row[_TAGS])
    attributes = zip(
        _STAKEHOLDER_ATTRIBUTES, _STAKEHOLDER_ATTRIBUTE_VALUES(stakeholder), strict=True
    )
    row.append(_json({name: value for name, value in attributes if value is not None}))
    return row


def _stakeholder_from_row(row: Row) -> Stakeholder:
    """A stakeholder from the columns of `_STAKEHOLDER_SELECT`, in that order."""
    attributes: dict[str, Any] = json.loads(row[-1])
    for name, decode in _ATTRIBUTE_DECODERS.items():
        if name in attributes:
            attributes[name] = decode(attributes[name])
    return Stakeholder(*_STAKEHOLDER_DECODER(row[:-1]), **attributes)


_TIE_COLUMNS = _field_names(Tie)  # ending with the two timestamps
_TIE_DECODER = _Decoder(
    _TIE_COLUMNS,
    {
        **_TIMES_FROM_TEXT,
        "kind": TieKind,
        "evidence": Evidence,
        "decision_role": DecisionRole,
        "since": date.fromisoformat,
        "until": date.fromisoformat,
    },
)
_TIE_SELECT = f"SELECT {', '.join(_TIE_COLUMNS)} FROM ties"  # noqa: S608 (fixed columns)
_TIE_HEAD = operator.attrgetter(*_TIE_COLUMNS[:-2])
_SINCE = _TIE_COLUMNS.index("since")
_UNTIL = _TIE_COLUMNS.index("until")


def _tie_row(tie: Tie, created: str, updated: str) -> Row:
    """The tie as `_TIE_SELECT` reads it back. This runs once per tie of a bulk import."""
    row = (*_TIE_HEAD(tie), created, updated)
    if row[_SINCE] is None and row[_UNTIL] is None:
        return row
    dated = list(row)
    for index in (_SINCE, _UNTIL):
        if dated[index] is not None:
            dated[index] = dated[index].isoformat()
    return dated


def _tie_from_row(row: Row) -> Tie:
    return Tie(*_TIE_DECODER(row))


_INTERACTION_COLUMNS = tuple(name for name in _field_names(Interaction) if name != "participants")
_INTERACTION_DECODER = _Decoder(
    _INTERACTION_COLUMNS,
    {**_TIMES_FROM_TEXT, "kind": InteractionKind, "occurred_at": datetime.fromisoformat},
)
_INTERACTION_SELECT = f"SELECT {', '.join(_INTERACTION_COLUMNS)} FROM interactions"  # noqa: S608
_INTERACTION_HEAD = operator.attrgetter(*_INTERACTION_COLUMNS[:-2])
_OCCURRED_AT = _INTERACTION_COLUMNS.index("occurred_at")


def _interaction_row(interaction: Interaction, created: str, updated: str) -> list[Any]:
    """The interaction as `_INTERACTION_SELECT` reads it back (participants are not in it)."""
    row = [*_INTERACTION_HEAD(interaction), created, updated]
    row[_OCCURRED_AT] = _utc_text(row[_OCCURRED_AT])
    return row


def _interaction_from_row(row: Row, participants: Sequence[Participant]) -> Interaction:
    return Interaction(
        **dict(zip(_INTERACTION_COLUMNS, _INTERACTION_DECODER(row), strict=True)),
        participants=tuple(participants),
    )


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_marks(len(columns))})"  # noqa: S608


def _update_sql(table: str, columns: Sequence[str]) -> str:
    # created_at is never in the update list: an existing row keeps its creation time.
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in {"id", "created_at"})
    return f"{_insert_sql(table, columns)} ON CONFLICT (id) DO UPDATE SET {updates}"


# name_folded last: a stakeholder's insert row is its `_stakeholder_row` and the folded name.
_STAKEHOLDER_TABLE_COLUMNS = (*_STAKEHOLDER_COLUMNS, "attributes", "name_folded")
_INSERT_STAKEHOLDER = _insert_sql("stakeholders", _STAKEHOLDER_TABLE_COLUMNS)
_UPDATE_STAKEHOLDER = _update_sql("stakeholders", _STAKEHOLDER_TABLE_COLUMNS)
_INSERT_TIE = _insert_sql("ties", _TIE_COLUMNS)
_UPDATE_TIE = _update_sql("ties", _TIE_COLUMNS)
_INSERT_INTERACTION = _insert_sql("interactions", _INTERACTION_COLUMNS)
_UPDATE_INTERACTION = _update_sql("interactions", _INTERACTION_COLUMNS)


def _write_rows(
    connection: sqlite3.Connection,
    statements: tuple[str, str],
    rows: Sequence[Row],
    existing: Mapping[str, Any],
) -> None:
    """Insert the rows whose id (first column) is new and update the others.

    A plain INSERT is cheaper than an upsert, which matters for a bulk import.
    """
    insert, update = statements
    if not existing:
        _insert_many(connection, insert, rows)
        return
    connection.executemany(insert, [row for row in rows if row[0] not in existing])
    connection.executemany(update, [row for row in rows if row[0] in existing])


BULK_ROWS = 10_000


def _insert_many(connection: sqlite3.Connection, insert: str, rows: Sequence[Row]) -> None:
    """Run `insert` for every row; into an empty table, a bulk load builds its indexes after.

    Building an index from sorted rows is cheaper than growing it one row at a time; the
    index definitions are read back from the schema, and all of it is in the write transaction.
    """
    table = insert.split()[2]
    indexes: list[str] = []
    if (
        len(rows) >= BULK_ROWS
        and not connection.execute(
            f"SELECT 1 FROM {table} LIMIT 1"  # noqa: S608 (table is one of ours)
        ).fetchone()
    ):
        found = connection.execute(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table,),
        ).fetchall()
        for name, sql in found:
            connection.execute(f'DROP INDEX "{name}"')
            indexes.append(sql)
    connection.executemany(insert, rows)
    for sql in indexes:
        connection.execute(sql)


# --- the change log -----------------------------------------------------------------------------
#
# One row of `change_sets` per revision: a JSON array of runs [entity_type, op, items], in the
# order the batch did them. An upsert's item is the entity's row as the SELECTs above read it
# (an interaction's row ends with its participants as [stakeholder_id, acting_as] pairs); a
# delete's item is the entity's id. Runs converted from the older one-row-per-change log hold
# the store.codec object of the entity instead of its row.


class _ChangeLog:
    """The changes of one batch: one entry per entity touched, holding its final state."""

    def __init__(self, revision: int) -> None:
        self.revision = revision
        self._runs: list[tuple[str, str, list[Any]]] = []

    def __bool__(self) -> bool:
        return any(items for _, _, items in self._runs)

    def upsert(self, entity_type: EntityType, rows: Sequence[Row]) -> None:
        """Record upserts of `entity_type`, ids unique; each row's first column is its id."""
        self._add(entity_type.value, ChangeOp.UPSERT.value, list(rows), [row[0] for row in rows])

    def delete(self, entity_type: EntityType, entity_id: str) -> None:
        self._add(entity_type.value, ChangeOp.DELETE.value, [entity_id], [entity_id])

    def _add(self, kind: str, op: str, items: list[Any], ids: list[str]) -> None:
        if not items:
            return
        # A later write to an entity replaces its earlier entry: one entry per entity, last.
        earlier = [run for run in self._runs if run[0] == kind]
        if earlier:
            again = set(ids)
            for _, run_op, run_items in earlier:
                run_items[:] = [item for item in run_items if _item_id(run_op, item) not in again]
        last = self._runs[-1] if self._runs else None
        if last is not None and last[:2] == (kind, op):
            last[2].extend(items)
        else:
            self._runs.append((kind, op, items))

    def write(self, connection: sqlite3.Connection) -> None:
        runs = [run for run in self._runs if run[2]]
        connection.execute(
            "INSERT INTO change_sets (revision, changes) VALUES (?, ?)",
            (self.revision, orjson.dumps(runs).decode()),
        )

    def changes(self) -> list[Change]:
        return _changes_from_runs(self.revision, self._runs)


def _item_id(op: str, item: Any) -> str:
    if op == ChangeOp.DELETE.value:
        return str(item)
    return str(item["id"] if isinstance(item, dict) else item[0])


def _changes_from_runs(revision: int, runs: Iterable[Sequence[Any]]) -> list[Change]:
    changes = []
    for entity_type_value, op_value, items in runs:
        entity_type, op = EntityType(entity_type_value), ChangeOp(op_value)
        if op is ChangeOp.DELETE:
            changes += [Change(revision, entity_type, op, entity_id) for entity_id in items]
            continue
        for item in items:
            entity = _entity_from_state(entity_type, item)
            changes.append(Change(revision, entity_type, op, entity.id, entity))
    return changes


def _entity_from_state(entity_type: EntityType, state: Any) -> Entity:
    if isinstance(state, dict):  # logged before change sets
        return entity_from_dict(entity_type, state)
    if entity_type is EntityType.STAKEHOLDER:
        return _stakeholder_from_row(state)
    if entity_type is EntityType.TIE:
        return _tie_from_row(state)
    return _interaction_from_row(state[:-1], [Participant(*pair) for pair in state[-1]])


def _last_by_id(entities: Iterable[R], id_of: Callable[[R], str]) -> list[R]:
    """Each id once, keeping its last version: a batch that names an entity twice means the
    later one."""
    by_id: dict[str, R] = {}
    for entity in entities:
        by_id[id_of(entity)] = entity
    return list(by_id.values())


# --- the store ----------------------------------------------------------------------------------


class SQLiteStore:
    """A `GraphStore` on an SQLite database at `path` (a file path, or ":memory:")."""

    def __init__(
        self,
        path: str,
        *,
        migrations: Sequence[Migration] | None = None,
        workers: int = FILE_WORKERS,
    ) -> None:
        self.path = path
        self._in_memory = path == ":memory:"
        self._migrations = list(migrations) if migrations is not None else None
        self._workers = 1 if self._in_memory else workers
        self._executor: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._write_lock = threading.Lock()

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
        try:
            return work(self._connection())
        except sqlite3.Error as exc:
            raise translate_error(exc) from exc

    def _connection(self) -> sqlite3.Connection:
        connection = cast(sqlite3.Connection | None, getattr(self._local, "connection", None))
        if connection is None:
            connection = self._connect()
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    def _connect(self) -> sqlite3.Connection:
        # Each connection is used by one worker thread only; check_same_thread is off so that
        # close() can close them all once the workers have stopped.
        connection = sqlite3.connect(
            self.path,
            isolation_level=None,
            check_same_thread=False,
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if not self._in_memory:
                connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA synchronous = FULL")
            # Deleted content is overwritten, so an erased person's data cannot be read back
            # from free pages of the file.
            connection.execute("PRAGMA secure_delete = ON")
            # A larger page cache (64 MiB, allocated as used) keeps a bulk import's index pages
            # in memory instead of spilling them mid-transaction; it halves the time of 100k ties.
            connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        except BaseException:
            connection.close()
            raise
        return connection

    @contextlib.contextmanager
    def _reading(self, connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        """One deferred read transaction: every SELECT inside sees the same snapshot."""
        connection.execute("BEGIN")
        try:
            yield connection
        finally:
            if connection.in_transaction:
                connection.execute("COMMIT")

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
        connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        for migration in migrations:
            # Checked inside the write transaction, so two processes opening one file at once
            # cannot both apply it.
            with self._writing(connection):
                applied = connection.execute(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
                ).fetchone()
                if applied:
                    continue
                for statement in sql_statements(migration.sql):
                    connection.execute(statement)
                connection.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    (migration.version, _utc_text(datetime.now(UTC))),
                )
        connection.execute("SELECT value FROM meta WHERE name = 'revision'").fetchone()

    # -- reads

    async def revision(self) -> int:
        return await self._run(_read_revision)

    async def counts(self) -> Counts:
        def count(connection: sqlite3.Connection) -> Counts:
            with self._reading(connection):
                row = connection.execute(
                    "SELECT (SELECT COUNT(*) FROM stakeholders), (SELECT COUNT(*) FROM ties), "
                    "(SELECT COUNT(*) FROM interactions), "
                    "(SELECT value FROM meta WHERE name = 'revision')"
                ).fetchone()
            return Counts(stakeholders=row[0], ties=row[1], interactions=row[2], revision=row[3])

        return await self._run(count)

    async def get_stakeholders(self, ids: Sequence[str]) -> list[Stakeholder | None]:
        return await self._get_in_order(ids, "id", _stakeholders_where)

    async def get_stakeholders_by_key(self, keys: Sequence[str]) -> list[Stakeholder | None]:
        return await self._get_in_order(keys, "key", _stakeholders_where)

    async def get_ties(self, ids: Sequence[str]) -> list[Tie | None]:
        return await self._get_in_order(ids, "id", _ties_where)

    async def get_ties_by_key(self, keys: Sequence[str]) -> list[Tie | None]:
        return await self._get_in_order(keys, "key", _ties_where)

    async def get_interactions(self, ids: Sequence[str]) -> list[Interaction | None]:
        return await self._get_in_order(ids, "id", _interactions_where)

    async def get_interactions_by_key(self, keys: Sequence[str]) -> list[Interaction | None]:
        return await self._get_in_order(keys, "key", _interactions_where)

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
            with self._reading(connection):
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
        conditions, params = _stakeholder_conditions(where)
        sort_column = "name_folded" if order is StakeholderOrder.NAME else "updated_at"
        page_conditions, page_params = list(conditions), list(params)
        if after is not None:
            if order is StakeholderOrder.NAME:
                page_conditions.append("(name_folded, id) > (?, ?)")
                page_params += after
            else:
                page_conditions.append("(updated_at < ? OR (updated_at = ? AND id > ?))")
                page_params += [after[0], after[0], after[1]]
        ordering = "name_folded, id" if order is StakeholderOrder.NAME else "updated_at DESC, id"
        # Only fixed fragments are joined into the SQL; every value is a bound parameter.
        page_sql = (
            f"SELECT {sort_column}, {', '.join(_STAKEHOLDER_COLUMNS)}, attributes "  # noqa: S608
            f"FROM stakeholders{_where(page_conditions)} "
            f"ORDER BY {ordering} LIMIT ?"
        )
        count_sql = f"SELECT COUNT(*) FROM stakeholders{_where(conditions)}"  # noqa: S608

        def find(connection: sqlite3.Connection) -> Page[Stakeholder]:
            with self._reading(connection):
                rows = connection.execute(page_sql, [*page_params, page.first + 1]).fetchall()
                total = connection.execute(count_sql, params).fetchone()[0]
            shown = rows[: page.first]
            return Page(
                items=[_stakeholder_from_row(row[1:]) for row in shown],
                cursors=[encode_cursor(order, row[0], row[1]) for row in shown],
                has_next_page=len(rows) > page.first,
                total_count=total,
            )

        return await self._run(find)

    async def ties_of(
        self,
        stakeholder_ids: Sequence[str],
        kinds: Sequence[TieKind] = (),
        direction: Direction = Direction.BOTH,
    ) -> list[Tie]:
        ids = list(dict.fromkeys(stakeholder_ids))
        kind_values = [kind.value for kind in dict.fromkeys(kinds)]
        columns = {
            Direction.OUT: ("source_id",),
            Direction.IN: ("target_id",),
            Direction.BOTH: ("source_id", "target_id"),
        }[direction]
        kind_condition = f" AND kind IN ({_marks(len(kind_values))})" if kind_values else ""
        ids_json = _json(ids)

        def find(connection: sqlite3.Connection) -> list[Tie]:
            found: dict[str, Tie] = {}
            with self._reading(connection):
                for column in columns:
                    sql = (
                        f"{_TIE_SELECT} WHERE {column} IN (SELECT value FROM json_each(?))"  # noqa: S608
                        f"{kind_condition}"
                    )
                    for row in connection.execute(sql, [ids_json, *kind_values]):
                        if row[0] not in found:  # a tie between two of them comes twice
                            found[row[0]] = _tie_from_row(row)
            return [found[tie_id] for tie_id in sorted(found)]

        return await self._run(find)

    async def interactions_of(
        self, stakeholder_ids: Sequence[str], since: datetime | None = None
    ) -> list[Interaction]:
        ids = list(dict.fromkeys(stakeholder_ids))

        def find(connection: sqlite3.Connection) -> list[Interaction]:
            interaction_ids: set[str] = set()
            with self._reading(connection):
                select = "SELECT interaction_id FROM interaction_participants"
                interaction_ids.update(
                    row[0] for row in _select_in(connection, select, "stakeholder_id", ids)
                )
                found = _interactions_where(connection, "id", sorted(interaction_ids))
            if since is not None:
                cutoff = _as_utc(since)
                found = [i for i in found if i.occurred_at >= cutoff]
            found.sort(key=lambda interaction: interaction.id)
            found.sort(key=lambda interaction: interaction.occurred_at, reverse=True)
            return found

        return await self._run(find)

    async def load_all(self) -> GraphData:
        def load(connection: sqlite3.Connection) -> GraphData:
            with self._reading(connection):
                revision = _read_revision(connection)
                stakeholders = [
                    _stakeholder_from_row(row)
                    for row in connection.execute(f"{_STAKEHOLDER_SELECT} ORDER BY id")
                ]
                ties = [
                    _tie_from_row(row) for row in connection.execute(f"{_TIE_SELECT} ORDER BY id")
                ]
                interactions = _interactions_from_rows(
                    connection.execute(f"{_INTERACTION_SELECT} ORDER BY id").fetchall(),
                    _participants_by_interaction(
                        connection.execute(
                            "SELECT interaction_id, stakeholder_id, acting_as "
                            "FROM interaction_participants ORDER BY interaction_id, position"
                        )
                    ),
                )
            return GraphData(revision, stakeholders, ties, interactions)

        return await self._run(load)

    async def changes_since(self, revision: int, limit: int = 10_000) -> list[Change]:
        if limit < 1:
            raise ValidationFailed([Issue("limit", f"limit must be at least 1, not {limit}.")])

        def read(connection: sqlite3.Connection) -> list[Change]:
            changes: list[Change] = []
            with self._reading(connection):
                sets = connection.execute(
                    "SELECT revision, changes FROM change_sets WHERE revision > ? "
                    "ORDER BY revision",
                    (revision,),
                )
                with contextlib.closing(sets):
                    # Whole revisions only: stop after the one that reaches the limit.
                    for set_revision, entries in sets:
                        changes += _changes_from_runs(set_revision, orjson.loads(entries))
                        if len(changes) >= limit:
                            break
            return changes

        return await self._run(read)

    # -- writes

    async def apply(self, batch: WriteBatch) -> WriteResult:
        if len(batch) == 0:
            return WriteResult(await self.revision(), [])
        return await self._run(lambda connection: self._apply(connection, batch))

    def _apply(self, connection: sqlite3.Connection, batch: WriteBatch) -> WriteResult:
        with self._writing(connection):
            current = _read_revision(connection)
            log = _ChangeLog(current + 1)
            now = _utc_text(datetime.now(UTC))
            _delete_interactions(connection, batch.delete_interactions, log)
            _delete_ties(connection, batch.delete_ties, log)
            _delete_stakeholders(connection, batch.delete_stakeholders, now, log)
            _upsert_stakeholders(connection, batch.upsert_stakeholders, now, log)
            written = {stakeholder.id for stakeholder in batch.upsert_stakeholders}
            _upsert_ties(connection, batch.upsert_ties, now, log, written)
            _upsert_interactions(connection, batch.upsert_interactions, now, log, written)
            if not log:
                # Only deletes of ids that were already gone: nothing changed, so the
                # revision stays (the transaction commits nothing).
                return WriteResult(current, [])
            log.write(connection)
            connection.execute("UPDATE meta SET value = ? WHERE name = 'revision'", (log.revision,))
            if batch.audit is not None:
                _insert_audit(connection, replace(batch.audit, revision=log.revision))
        return WriteResult(log.revision, log.changes() if batch.report_changes else [])

    # -- access: tokens and the audit trail

    async def create_token(self, token: ApiToken) -> None:
        def create(connection: sqlite3.Connection) -> None:
            with self._writing(connection):
                taken = connection.execute(
                    "SELECT 1 FROM api_tokens WHERE name = ? AND revoked_at IS NULL", (token.name,)
                ).fetchone()
                if taken:
                    raise Conflict(f"An active token named '{token.name}' already exists.")
                connection.execute(
                    "INSERT INTO api_tokens (id, name, role, token_hash, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (
                        token.id,
                        token.name,
                        token.role.value,
                        token.token_hash,
                        _utc_text(token.created_at),
                    ),
                )

        await self._run(create)

    async def list_tokens(self) -> list[ApiToken]:
        def read(connection: sqlite3.Connection) -> list[ApiToken]:
            rows = connection.execute(f"{_TOKEN_SELECT} ORDER BY created_at, id").fetchall()
            return [_token_from_row(row) for row in rows]

        return await self._run(read)

    async def revoke_token(self, name: str, at: datetime) -> ApiToken:
        def revoke(connection: sqlite3.Connection) -> ApiToken:
            with self._writing(connection):
                row = connection.execute(
                    f"{_TOKEN_SELECT} WHERE name = ? AND revoked_at IS NULL",
                    (name,),
                ).fetchone()
                if row is None:
                    raise NotFound(f"No active token named '{name}'.")
                connection.execute(
                    "UPDATE api_tokens SET revoked_at = ? WHERE id = ?", (_utc_text(at), row[0])
                )
            return replace(_token_from_row(row), revoked_at=_as_utc(at))

        return await self._run(revoke)

    async def token_by_digest(self, digest: str) -> ApiToken | None:
        def read(connection: sqlite3.Connection) -> ApiToken | None:
            row = connection.execute(
                f"{_TOKEN_SELECT} WHERE token_hash = ?",
                (digest,),
            ).fetchone()
            return _token_from_row(row) if row else None

        return await self._run(read)

    async def active_token_count(self) -> int:
        def read(connection: sqlite3.Connection) -> int:
            row = connection.execute(
                "SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL"
            ).fetchone()
            return int(row[0])

        return await self._run(read)

    async def record_audit(self, entry: AuditEntry) -> AuditEntry:
        def record(connection: sqlite3.Connection) -> AuditEntry:
            with self._writing(connection):
                return _insert_audit(connection, entry)

        return await self._run(record)

    async def audit_entries(
        self, after_seq: int = 0, first: int = 100, entity_id: str | None = None
    ) -> list[AuditEntry]:
        def read(connection: sqlite3.Connection) -> list[AuditEntry]:
            sql = (
                "SELECT seq, at, actor, operation, revision, entity_ids, fields, detail "
                "FROM audit_log WHERE seq > ?"
            )
            params: list[Any] = [after_seq]
            if entity_id is not None:
                sql += " AND EXISTS (SELECT 1 FROM json_each(entity_ids) WHERE value = ?)"
                params.append(entity_id)
            rows = connection.execute(sql + " ORDER BY seq LIMIT ?", [*params, first]).fetchall()
            return [_audit_from_row(row) for row in rows]

        return await self._run(read)

    async def erase_stakeholder(self, stakeholder_id: str, audit: AuditEntry) -> WriteResult:
        def erase(connection: sqlite3.Connection) -> WriteResult:
            with self._writing(connection):
                current = _read_revision(connection)
                if not _existing_ids(connection, "stakeholders", [stakeholder_id]):
                    raise NotFound(f"No stakeholder with id '{stakeholder_id}'.")
                tie_ids = [
                    row[0]
                    for row in connection.execute(
                        "SELECT id FROM ties WHERE source_id = ? OR target_id = ?",
                        (stakeholder_id, stakeholder_id),
                    )
                ]
                # Every earlier copy of the stakeholder's data and of its ties goes first.
                _scrub_change_log(connection, {stakeholder_id, *tie_ids})
                log = _ChangeLog(current + 1)
                _delete_stakeholders(
                    connection, [stakeholder_id], _utc_text(datetime.now(UTC)), log
                )
                log.write(connection)
                connection.execute(
                    "UPDATE meta SET value = ? WHERE name = 'revision'", (log.revision,)
                )
                _insert_audit(connection, replace(audit, revision=log.revision))
            if not self._in_memory:
                # Move the WAL's copies of the erased pages into the (zeroed) file and empty it.
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return WriteResult(log.revision, log.changes())

        return await self._run(erase)


def _scrub_change_log(connection: sqlite3.Connection, entity_ids: Set[str]) -> None:
    """Remove every change-log entry of these entities (erasure), rewriting the sets they are in.

    Only sets whose text names one of the ids are read; secure_delete zeroes the old text.
    """
    found = connection.execute(
        "SELECT revision, changes FROM change_sets WHERE EXISTS "
        "(SELECT 1 FROM json_each(?) WHERE instr(change_sets.changes, value) > 0)",
        (_json(sorted(entity_ids)),),
    ).fetchall()
    for revision, text in found:
        runs = orjson.loads(text)
        kept = [
            [kind, op, [item for item in items if _item_id(op, item) not in entity_ids]]
            for kind, op, items in runs
        ]
        if kept != runs:
            connection.execute(
                "UPDATE change_sets SET changes = ? WHERE revision = ?",
                (orjson.dumps([run for run in kept if run[2]]).decode(), revision),
            )


# --- queries run inside a transaction -----------------------------------------------------------


def _read_revision(connection: sqlite3.Connection) -> int:
    row = connection.execute("SELECT value FROM meta WHERE name = 'revision'").fetchone()
    return int(row[0])


def _where(conditions: Sequence[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _stakeholder_conditions(where: StakeholderFilter) -> tuple[list[str], list[Any]]:
    conditions: list[str] = []
    params: list[Any] = []
    if where.kind is not None:
        conditions.append("kind = ?")
        params.append(where.kind.value)
    if where.search:
        conditions.append("name_folded LIKE ? ESCAPE '\\'")
        params.append(f"%{_escape_like(fold(where.search))}%")
    for tag in dict.fromkeys(where.tags):
        conditions.append(
            "EXISTS (SELECT 1 FROM stakeholder_tags AS t "
            "WHERE t.stakeholder_id = stakeholders.id AND t.tag = ?)"
        )
        params.append(tag)
    if where.internal is not None:
        conditions.append("internal = ?")
        params.append(int(where.internal))
    if where.updated_since is not None:
        conditions.append("updated_at >= ?")
        params.append(_utc_text(where.updated_since))
    return conditions, params


def _select_in(
    connection: sqlite3.Connection, select: str, column: str, values: Sequence[str]
) -> sqlite3.Cursor:
    """Rows of `select` whose `column` is one of `values`, in one statement however many."""
    return connection.execute(
        f"{select} WHERE {column} IN (SELECT value FROM json_each(?))",  # noqa: S608
        (_json(list(values)),),
    )


def _stakeholders_where(
    connection: sqlite3.Connection, column: str, values: Sequence[str]
) -> list[Stakeholder]:
    return [
        _stakeholder_from_row(row)
        for row in _select_in(connection, _STAKEHOLDER_SELECT, column, values)
    ]


def _ties_where(connection: sqlite3.Connection, column: str, values: Sequence[str]) -> list[Tie]:
    return [_tie_from_row(row) for row in _select_in(connection, _TIE_SELECT, column, values)]


def _interactions_where(
    connection: sqlite3.Connection, column: str, values: Sequence[str]
) -> list[Interaction]:
    rows = _select_in(connection, _INTERACTION_SELECT, column, values).fetchall()
    participants = _participants_by_interaction(
        _select_in(
            connection,
            "SELECT interaction_id, stakeholder_id, acting_as, position "
            "FROM interaction_participants",
            "interaction_id",
            [row[0] for row in rows],
        ),
        ordered=False,
    )
    return _interactions_from_rows(rows, participants)


def _participants_by_interaction(
    rows: Iterable[Sequence[Any]], *, ordered: bool = True
) -> dict[str, list[Participant]]:
    """Participants per interaction id; rows are (interaction, stakeholder, acting_as[, pos])."""
    if not ordered:
        rows = sorted(rows, key=lambda row: (row[0], row[3]))
    grouped: dict[str, list[Participant]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(Participant(row[1], row[2]))
    return grouped


def _interactions_from_rows(
    rows: Iterable[Row], participants: Mapping[str, list[Participant]]
) -> list[Interaction]:
    return [_interaction_from_row(row, participants.get(row[0], ())) for row in rows]


def _existing_ids(connection: sqlite3.Connection, table: str, ids: Sequence[str]) -> set[str]:
    if not ids:
        return set()
    return {row[0] for row in _select_in(connection, f"SELECT id FROM {table}", "id", ids)}  # noqa: S608


def _created_at(connection: sqlite3.Connection, table: str, ids: Sequence[str]) -> dict[str, str]:
    """The creation time, as stored, of each of `ids` that exists in `table`."""
    if connection.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None:  # noqa: S608
        return {}  # a first import into an empty table looks nothing up
    select = f"SELECT id, created_at FROM {table}"  # noqa: S608 (table is one of ours)
    return dict(_select_in(connection, select, "id", ids).fetchall())


def _delete_by_id(connection: sqlite3.Connection, table: str, ids: Sequence[str]) -> set[str]:
    sql = f"DELETE FROM {table} WHERE id IN (SELECT value FROM json_each(?)) RETURNING id"  # noqa: S608
    return {row[0] for row in connection.execute(sql, (_json(list(ids)),)).fetchall()}


def _delete_interactions(
    connection: sqlite3.Connection, ids: Sequence[str], log: _ChangeLog
) -> None:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return
    deleted = _delete_by_id(connection, "interactions", wanted)  # participants cascade
    for interaction_id in wanted:
        if interaction_id in deleted:
            log.delete(EntityType.INTERACTION, interaction_id)


def _delete_ties(connection: sqlite3.Connection, ids: Sequence[str], log: _ChangeLog) -> None:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return
    deleted = _delete_by_id(connection, "ties", wanted)
    for tie_id in wanted:
        if tie_id in deleted:
            log.delete(EntityType.TIE, tie_id)


def _delete_stakeholders(
    connection: sqlite3.Connection, ids: Sequence[str], now: str, log: _ChangeLog
) -> None:
    existing = _existing_ids(connection, "stakeholders", list(dict.fromkeys(ids)))
    wanted = [stakeholder_id for stakeholder_id in dict.fromkeys(ids) if stakeholder_id in existing]
    if not wanted:
        return
    # Their ties go first, each logged: the foreign key cascade would drop them silently.
    tie_ids: set[str] = set()
    for column in ("source_id", "target_id"):
        tie_ids.update(
            row[0] for row in _select_in(connection, "SELECT id FROM ties", column, wanted)
        )
    _delete_ties(connection, sorted(tie_ids), log)

    select = "SELECT DISTINCT interaction_id FROM interaction_participants"
    touched = sorted({row[0] for row in _select_in(connection, select, "stakeholder_id", wanted)})
    connection.execute(
        "DELETE FROM interaction_participants "
        "WHERE stakeholder_id IN (SELECT value FROM json_each(?))",
        (_json(wanted),),
    )
    orphaned = []
    states = []
    for interaction in _interactions_where(connection, "id", touched):
        if not interaction.participants:
            orphaned.append(interaction.id)
            continue
        connection.execute(
            "UPDATE interactions SET updated_at = ? WHERE id = ?", (now, interaction.id)
        )
        created = _utc_text(interaction.created_at or _as_utc(datetime.now(UTC)))
        states.append(_interaction_state(interaction, created, now))
    log.upsert(EntityType.INTERACTION, states)
    _delete_interactions(connection, orphaned, log)

    _delete_by_id(connection, "stakeholders", wanted)  # their tags cascade
    for stakeholder_id in wanted:
        log.delete(EntityType.STAKEHOLDER, stakeholder_id)


def _interaction_state(interaction: Interaction, created: str, updated: str) -> list[Any]:
    """The interaction's row with its participants last, as the change log holds it."""
    row = _interaction_row(interaction, created, updated)
    row.append([(p.stakeholder_id, p.acting_as) for p in interaction.participants])
    return row


def _check_keys(
    connection: sqlite3.Connection, table: str, label: str, keyed: Sequence[tuple[str, str | None]]
) -> None:
    """Raise Conflict if a key would end up on two entities of `table`.

    An existing entity that gives its key away in this same batch is not a conflict; its key
    is cleared first, so the row-by-row upsert does not trip over the order of the batch.
    """
    claimed: dict[str, str] = {}
    for entity_id, key in keyed:
        if key is None:
            continue
        if claimed.setdefault(key, entity_id) != entity_id:
            raise Conflict(f"Key '{key}' is already used by another {label}.")
    if not claimed:
        return
    batch_ids = {entity_id for entity_id, _ in keyed}
    handing_over = []
    select = f"SELECT key, id FROM {table}"  # noqa: S608 (table is one of ours)
    for key, owner in _select_in(connection, select, "key", list(claimed)).fetchall():
        if owner == claimed[key]:
            continue
        if owner not in batch_ids:
            raise Conflict(f"Key '{key}' is already used by another {label}.")
        handing_over.append(owner)
    if handing_over:
        connection.execute(
            f"UPDATE {table} SET key = NULL WHERE id IN (SELECT value FROM json_each(?))",  # noqa: S608
            (_json(handing_over),),
        )


def _check_stakeholders_exist(
    connection: sqlite3.Connection,
    label: str,
    references: Sequence[tuple[str, Sequence[str]]],
    written: Set[str],
) -> None:
    """Raise NotFound naming the first stakeholder id in `references` that does not exist.

    `references` pairs the id of each tie or interaction with the stakeholder ids it names;
    `written` are the stakeholders this batch has just upserted, known to exist without a look-up.
    """
    wanted = {stakeholder_id for _, ids in references for stakeholder_id in ids}
    existing = _existing_ids(connection, "stakeholders", list(wanted - written)) | (
        wanted & written
    )
    if len(existing) == len(wanted):
        return
    for entity_id, stakeholder_ids in references:
        for stakeholder_id in stakeholder_ids:
            if stakeholder_id not in existing:
                raise NotFound(
                    f"{label} '{entity_id}' refers to stakeholder '{stakeholder_id}', "
                    "which does not exist."
                )


def _creation(existing: str | None, given: datetime | None, now: str) -> str:
    """When an entity was created, as stored: as stored already, else as given, else now."""
    if existing is not None:
        return existing
    return now if given is None else _utc_text(given)


def _upsert_stakeholders(
    connection: sqlite3.Connection,
    stakeholders: Sequence[Stakeholder],
    now: str,
    log: _ChangeLog,
) -> None:
    items = _last_by_id(stakeholders, lambda stakeholder: stakeholder.id)
    if not items:
        return
    _check_keys(connection, "stakeholders", "stakeholder", [(s.id, s.key) for s in items])
    created = _created_at(connection, "stakeholders", [s.id for s in items])
    states = [
        _stakeholder_row(s, _creation(created.get(s.id), s.created_at, now), now) for s in items
    ]
    rows = [
        (*state, fold(stakeholder.name)) for state, stakeholder in zip(states, items, strict=True)
    ]
    _write_rows(connection, (_INSERT_STAKEHOLDER, _UPDATE_STAKEHOLDER), rows, created)
    if created:
        connection.execute(
            "DELETE FROM stakeholder_tags WHERE stakeholder_id IN (SELECT value FROM json_each(?))",
            (_json(list(created)),),
        )
    connection.executemany(
        "INSERT OR IGNORE INTO stakeholder_tags (stakeholder_id, tag) VALUES (?, ?)",
        [(s.id, tag) for s in items for tag in s.tags],
    )
    log.upsert(EntityType.STAKEHOLDER, states)


def _upsert_ties(
    connection: sqlite3.Connection,
    ties: Sequence[Tie],
    now: str,
    log: _ChangeLog,
    written: Set[str],
) -> None:
    items = _last_by_id(ties, lambda tie: tie.id)
    if not items:
        return
    _check_keys(connection, "ties", "tie", [(tie.id, tie.key) for tie in items])
    _check_stakeholders_exist(
        connection, "Tie", [(tie.id, (tie.source_id, tie.target_id)) for tie in items], written
    )
    created = _created_at(connection, "ties", [tie.id for tie in items])
    if created:
        rows = [_tie_row(t, _creation(created.get(t.id), t.created_at, now), now) for t in items]
    else:
        rows = [
            _tie_row(t, now if t.created_at is None else _utc_text(t.created_at), now)
            for t in items
        ]
    _write_rows(connection, (_INSERT_TIE, _UPDATE_TIE), rows, created)
    log.upsert(EntityType.TIE, rows)


def _upsert_interactions(
    connection: sqlite3.Connection,
    interactions: Sequence[Interaction],
    now: str,
    log: _ChangeLog,
    written: Set[str],
) -> None:
    items = _last_by_id(interactions, lambda interaction: interaction.id)
    if not items:
        return
    for interaction in items:
        if len(set(interaction.participant_ids)) != len(interaction.participants):
            raise ValidationFailed(
                [
                    Issue(
                        "participants",
                        f"Interaction '{interaction.id}' names a participant more than once.",
                        "DUPLICATE",
                    )
                ]
            )
    _check_keys(connection, "interactions", "interaction", [(i.id, i.key) for i in items])
    _check_stakeholders_exist(
        connection, "Interaction", [(i.id, i.participant_ids) for i in items], written
    )
    created = _created_at(connection, "interactions", [i.id for i in items])
    states = [
        _interaction_state(i, _creation(created.get(i.id), i.created_at, now), now) for i in items
    ]
    _write_rows(
        connection, (_INSERT_INTERACTION, _UPDATE_INTERACTION), [s[:-1] for s in states], created
    )
    if created:
        connection.execute(
            "DELETE FROM interaction_participants "
            "WHERE interaction_id IN (SELECT value FROM json_each(?))",
            (_json(list(created)),),
        )
    _insert_many(
        connection,
        "INSERT INTO interaction_participants (interaction_id, stakeholder_id, position, "
        "acting_as) VALUES (?, ?, ?, ?)",
        [
            (interaction.id, participant.stakeholder_id, position, participant.acting_as)
            for interaction in items
            for position, participant in enumerate(interaction.participants)
        ],
    )
    log.upsert(EntityType.INTERACTION, states)


_TOKEN_SELECT = "SELECT id, name, role, token_hash, created_at, revoked_at FROM api_tokens"


def _token_from_row(row: Sequence[Any]) -> ApiToken:
    token_id, name, role, token_hash, created_at, revoked_at = row
    return ApiToken(
        id=token_id,
        name=name,
        role=Role(role),
        token_hash=token_hash,
        created_at=datetime.fromisoformat(created_at),
        revoked_at=datetime.fromisoformat(revoked_at) if revoked_at else None,
    )


def _insert_audit(connection: sqlite3.Connection, entry: AuditEntry) -> AuditEntry:
    cursor = connection.execute(
        "INSERT INTO audit_log (at, actor, operation, revision, entity_ids, fields, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            _utc_text(entry.at),
            entry.actor,
            entry.operation,
            entry.revision,
            json.dumps(list(entry.entity_ids)),
            json.dumps(list(entry.fields)),
            json.dumps(entry.detail, sort_keys=True),
        ),
    )
    return replace(entry, seq=cursor.lastrowid)


def _audit_from_row(row: Sequence[Any]) -> AuditEntry:
    seq, at, actor, operation, revision, entity_ids, fields, detail = row
    return AuditEntry(
        at=datetime.fromisoformat(at),
        actor=actor,
        operation=operation,
        entity_ids=tuple(json.loads(entity_ids)),
        fields=tuple(json.loads(fields)),
        seq=seq,
        revision=revision,
        detail=json.loads(detail),
    )
