"""The Neo4j store: the production `GraphStore`, over Bolt with the official async driver.

The graph model:

- `(:Stakeholder {id, kind, key, name, name_folded, …})`: one label for every kind, the kind
  in a property. Kind labels would have to change when an upsert changes the kind, and on
  ArcadeDB (the Bolt server the tests run on) a node's labels are its record type, so
  relabelling a node moves the record and trips its own uniqueness index.
- `(:Tie {id, kind, source_id, target_id, …})-[:TIE_FROM]->(source)` and `-[:TIE_TO]->(target)`:
  a tie is a node, not a relationship. A tie needs an id and a key unique across all its kinds,
  and lookup by id without knowing the kind; a uniqueness constraint or an index on a
  relationship property covers one relationship type only, and an upsert that changes a tie's
  kind or endpoints would have to delete and recreate a typed relationship. As a node it has
  one constraint per property, MERGE on its id, and the two fixed relationships still let
  Cypher walk from a stakeholder to its ties.
- `(:Stakeholder)-[:PARTICIPATED {position, actingAs}]->(:Interaction {id, kind, …})`.
- `(:GraphMeta {id: 'graph', revision, last_seq})`: the revision counter. Each batch first
  increments it, which write-locks the node, so batches are serialised and the revision and the
  change log's `seq` are derived inside the transaction.
- `(:Change {revision, seq, entity_type, op, entity_id, payload})`, written in the batch's own
  transaction; `payload` is the entity as JSON (`store.codec`).

Datetimes are stored as fixed-width UTC ISO strings (so string order is time order on every
engine), dates as ISO strings. Every statement is a module-level `LiteralString` constant; labels
and relationship types are fixed in the text, values are always parameters. The schema
(`graph_schema/*.cypher`) is applied by `open()` before any data is written. Driver and server
exceptions are translated into domain errors in one place, `translate_error`, and no message
built here carries Cypher text or the password.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.resources
import json
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, LiteralString, TypeVar, cast
from urllib.parse import unquote, urlsplit

import neo4j
from neo4j import exceptions as neo4j_errors

from stakenet.domain.access import ApiToken, AuditEntry, Role
from stakenet.domain.errors import (
    Conflict,
    Issue,
    NotFound,
    StakenetError,
    StoreTimeout,
    StoreUnavailable,
    ValidationFailed,
)
from stakenet.domain.model import (
    Change,
    ChangeOp,
    Counts,
    EntityType,
    GraphData,
    Interaction,
    Stakeholder,
    Tie,
    TieKind,
)
from stakenet.domain.text import fold
from stakenet.store.codec import (
    decode_cursor,
    encode_cursor,
    entity_from_dict,
    interaction_from_dict,
    interaction_to_dict,
    stakeholder_from_dict,
    stakeholder_to_dict,
    tie_from_dict,
    tie_to_dict,
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

log = logging.getLogger(__name__)

R = TypeVar("R")

# Rows per UNWIND statement: large enough to amortise a round trip, small enough for the server
# to plan and hold comfortably.
CHUNK_SIZE = 1000
DEFAULT_QUERY_TIMEOUT = 60.0
# How long managed transactions retry transient failures (a lost connection included) before
# the store answers StoreUnavailable; the driver's own default of 30 s is too long for an API.
DEFAULT_RETRY_TIME = 5.0
CONNECTION_TIMEOUT = 5.0
# Extra time a batch's transaction may take per thousand entities, on top of the query timeout:
# several times what a 100k-tie import took on the test server (ArcadeDB, 2 cores: ~0.35 s).
SECONDS_PER_THOUSAND_ROWS = 2.0
# Attempts of a write transaction that lost a race on a unique value (see `_write`).
WRITE_ATTEMPTS = 3

NEO4J_SCHEMES = frozenset({"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"})

# --- Cypher -------------------------------------------------------------------------------------

ENSURE_META: LiteralString = (
    "MERGE (m:GraphMeta {id: 'graph'}) ON CREATE SET m.revision = 0, m.last_seq = 0"
)
READ_REVISION: LiteralString = "MATCH (m:GraphMeta {id: 'graph'}) RETURN m.revision AS revision"
# Incrementing first takes the node's write lock, so concurrent batches run one after another.
BUMP_REVISION: LiteralString = (
    "MATCH (m:GraphMeta {id: 'graph'}) SET m.revision = m.revision + 1 "
    "RETURN m.revision AS revision, m.last_seq AS last_seq"
)
SET_LAST_SEQ: LiteralString = "MATCH (m:GraphMeta {id: 'graph'}) SET m.last_seq = $last_seq"
COUNTS: LiteralString = (
    "MATCH (m:GraphMeta {id: 'graph'}) "
    "RETURN COUNT { (:Stakeholder) } AS stakeholders, COUNT { (:Tie) } AS ties, "
    "COUNT { (:Interaction) } AS interactions, m.revision AS revision"
)

STAKEHOLDERS_BY_ID: LiteralString = (
    "UNWIND $values AS value MATCH (s:Stakeholder {id: value}) RETURN properties(s) AS props"
)
STAKEHOLDERS_BY_KEY: LiteralString = (
    "UNWIND $values AS value MATCH (s:Stakeholder {key: value}) RETURN properties(s) AS props"
)
ALL_STAKEHOLDERS: LiteralString = "MATCH (s:Stakeholder) RETURN properties(s) AS props"

# Each criterion is off when its parameter is null, so one statement serves every filter.
_STAKEHOLDER_FILTER: LiteralString = (
    "MATCH (s:Stakeholder) "
    "WHERE ($kind IS NULL OR s.kind = $kind) "
    "AND ($search IS NULL OR s.name_folded CONTAINS $search) "
    "AND all(tag IN $tags WHERE tag IN s.tags) "
    "AND ($internal IS NULL OR s.internal = $internal) "
    "AND ($updated_since IS NULL OR s.updated_at >= $updated_since) "
)
FIND_STAKEHOLDERS_BY_NAME: LiteralString = (
    _STAKEHOLDER_FILTER + "AND ($after_sort IS NULL OR s.name_folded > $after_sort "
    "OR (s.name_folded = $after_sort AND s.id > $after_id)) "
    "RETURN s.name_folded AS sort_value, properties(s) AS props "
    "ORDER BY s.name_folded, s.id LIMIT $limit"
)
FIND_STAKEHOLDERS_BY_UPDATED_AT: LiteralString = (
    _STAKEHOLDER_FILTER + "AND ($after_sort IS NULL OR s.updated_at < $after_sort "
    "OR (s.updated_at = $after_sort AND s.id > $after_id)) "
    "RETURN s.updated_at AS sort_value, properties(s) AS props "
    "ORDER BY s.updated_at DESC, s.id LIMIT $limit"
)
COUNT_STAKEHOLDERS: LiteralString = _STAKEHOLDER_FILTER + "RETURN count(s) AS total"

TIES_BY_ID: LiteralString = (
    "UNWIND $values AS value MATCH (t:Tie {id: value}) RETURN properties(t) AS props"
)
TIES_BY_KEY: LiteralString = (
    "UNWIND $values AS value MATCH (t:Tie {key: value}) RETURN properties(t) AS props"
)
ALL_TIES: LiteralString = "MATCH (t:Tie) RETURN properties(t) AS props"
# $ends holds TIE_FROM, TIE_TO or both: which end of the tie the stakeholders must be.
TIES_OF: LiteralString = (
    "UNWIND $ids AS id MATCH (:Stakeholder {id: id})<-[end:TIE_FROM|TIE_TO]-(t:Tie) "
    "WHERE type(end) IN $ends AND (size($kinds) = 0 OR t.kind IN $kinds) "
    "RETURN DISTINCT properties(t) AS props"
)

_WITH_PARTICIPANTS: LiteralString = (
    "OPTIONAL MATCH (s:Stakeholder)-[p:PARTICIPATED]->(i) "
    "WITH i, collect({stakeholder_id: s.id, acting_as: p.actingAs, position: p.position}) "
    "AS participants "
    "RETURN properties(i) AS props, participants"
)
INTERACTIONS_BY_ID: LiteralString = (
    "UNWIND $values AS value MATCH (i:Interaction {id: value}) " + _WITH_PARTICIPANTS
)
INTERACTIONS_BY_KEY: LiteralString = (
    "UNWIND $values AS value MATCH (i:Interaction {key: value}) " + _WITH_PARTICIPANTS
)
ALL_INTERACTIONS: LiteralString = "MATCH (i:Interaction) " + _WITH_PARTICIPANTS
INTERACTION_IDS_OF: LiteralString = (
    "UNWIND $ids AS id MATCH (:Stakeholder {id: id})-[:PARTICIPATED]->(i:Interaction) "
    "WHERE $since IS NULL OR i.occurred_at >= $since "
    "RETURN DISTINCT i.id AS id"
)

_CHANGE_FIELDS: LiteralString = (
    "RETURN c.seq AS seq, c.revision AS revision, c.entity_type AS entity_type, c.op AS op, "
    "c.entity_id AS entity_id, c.payload AS payload ORDER BY c.seq"
)
CHANGES_AFTER: LiteralString = (
    "MATCH (c:Change) WHERE c.revision > $revision " + _CHANGE_FIELDS + " LIMIT $limit"
)
CHANGES_REST_OF_REVISION: LiteralString = (
    "MATCH (c:Change) WHERE c.revision = $revision AND c.seq > $seq " + _CHANGE_FIELDS
)
APPEND_CHANGES: LiteralString = "UNWIND $rows AS row CREATE (c:Change) SET c = row"

# Writes. Deleting returns the ids that existed, so only real deletions are logged.
DELETE_INTERACTIONS: LiteralString = (
    "UNWIND $ids AS id MATCH (i:Interaction {id: id}) DETACH DELETE i RETURN id"
)
DELETE_TIES: LiteralString = "UNWIND $ids AS id MATCH (t:Tie {id: id}) DETACH DELETE t RETURN id"
DELETE_STAKEHOLDERS: LiteralString = (
    "UNWIND $ids AS id MATCH (s:Stakeholder {id: id}) DETACH DELETE s"
)
EXISTING_STAKEHOLDERS: LiteralString = "UNWIND $ids AS id MATCH (:Stakeholder {id: id}) RETURN id"
TIE_IDS_OF_STAKEHOLDERS: LiteralString = (
    "UNWIND $ids AS id MATCH (:Stakeholder {id: id})<-[:TIE_FROM|TIE_TO]-(t:Tie) "
    "RETURN DISTINCT t.id AS id"
)
INTERACTION_IDS_OF_STAKEHOLDERS: LiteralString = (
    "UNWIND $ids AS id MATCH (:Stakeholder {id: id})-[:PARTICIPATED]->(i:Interaction) "
    "RETURN DISTINCT i.id AS id"
)
REMOVE_PARTICIPATION_OF_STAKEHOLDERS: LiteralString = (
    "UNWIND $ids AS id MATCH (:Stakeholder {id: id})-[p:PARTICIPATED]->(:Interaction) DELETE p"
)
TOUCH_INTERACTIONS: LiteralString = (
    "UNWIND $ids AS id MATCH (i:Interaction {id: id}) SET i.updated_at = $now"
)

STAKEHOLDER_KEY_OWNERS: LiteralString = (
    "UNWIND $keys AS key MATCH (s:Stakeholder {key: key}) RETURN key, s.id AS id"
)
TIE_KEY_OWNERS: LiteralString = (
    "UNWIND $keys AS key MATCH (t:Tie {key: key}) RETURN key, t.id AS id"
)
INTERACTION_KEY_OWNERS: LiteralString = (
    "UNWIND $keys AS key MATCH (i:Interaction {key: key}) RETURN key, i.id AS id"
)
CLEAR_STAKEHOLDER_KEYS: LiteralString = (
    "UNWIND $ids AS id MATCH (s:Stakeholder {id: id}) REMOVE s.key"
)
CLEAR_TIE_KEYS: LiteralString = "UNWIND $ids AS id MATCH (t:Tie {id: id}) REMOVE t.key"
CLEAR_INTERACTION_KEYS: LiteralString = (
    "UNWIND $ids AS id MATCH (i:Interaction {id: id}) REMOVE i.key"
)
STAKEHOLDERS_CREATED_AT: LiteralString = (
    "UNWIND $ids AS id MATCH (s:Stakeholder {id: id}) RETURN id, s.created_at AS created_at"
)
TIES_CREATED_AT: LiteralString = (
    "UNWIND $ids AS id MATCH (t:Tie {id: id}) RETURN id, t.created_at AS created_at"
)
INTERACTIONS_CREATED_AT: LiteralString = (
    "UNWIND $ids AS id MATCH (i:Interaction {id: id}) RETURN id, i.created_at AS created_at"
)

# `SET n = row.props` replaces every property: an upsert replaces the whole entity.
UPSERT_STAKEHOLDERS: LiteralString = (
    "UNWIND $rows AS row MERGE (s:Stakeholder {id: row.id}) SET s = row.props"
)
DETACH_TIE_ENDS: LiteralString = (
    "UNWIND $ids AS id MATCH (:Tie {id: id})-[end:TIE_FROM|TIE_TO]->(:Stakeholder) DELETE end"
)
UPSERT_TIES: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (source:Stakeholder {id: row.props.source_id}) "
    "MATCH (target:Stakeholder {id: row.props.target_id}) "
    "MERGE (t:Tie {id: row.id}) SET t = row.props "
    "CREATE (t)-[:TIE_FROM]->(source) CREATE (t)-[:TIE_TO]->(target)"
)
UPSERT_INTERACTIONS: LiteralString = (
    "UNWIND $rows AS row MERGE (i:Interaction {id: row.id}) SET i = row.props"
)
DETACH_PARTICIPANTS: LiteralString = (
    "UNWIND $ids AS id MATCH (:Stakeholder)-[p:PARTICIPATED]->(:Interaction {id: id}) DELETE p"
)
ADD_PARTICIPANTS: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (s:Stakeholder {id: row.stakeholder_id}) MATCH (i:Interaction {id: row.interaction_id}) "
    "CREATE (s)-[:PARTICIPATED {position: row.position, actingAs: row.acting_as}]->(i)"
)

# Access: tokens and the audit trail. Writes that must see one consistent set of tokens, and
# the audit numbering, take the GraphMeta write lock first, as batches do.
LOCK_META: LiteralString = (
    "MATCH (m:GraphMeta {id: 'graph'}) SET m.access_version = coalesce(m.access_version, 0) + 1"
)
NEXT_AUDIT_SEQ: LiteralString = (
    "MATCH (m:GraphMeta {id: 'graph'}) "
    "SET m.last_audit_seq = coalesce(m.last_audit_seq, 0) + 1 RETURN m.last_audit_seq AS seq"
)
INSERT_AUDIT_ENTRY: LiteralString = "CREATE (a:AuditEntry) SET a = $props"
AUDIT_ENTRIES: LiteralString = (
    "MATCH (a:AuditEntry) WHERE a.seq > $after_seq "
    "AND ($entity_id IS NULL OR $entity_id IN a.entity_ids) "
    "RETURN properties(a) AS props ORDER BY a.seq LIMIT $first"
)
ACTIVE_TOKENS_NAMED: LiteralString = (
    "MATCH (t:ApiToken {name: $name}) WHERE t.revoked_at IS NULL RETURN properties(t) AS props"
)
INSERT_TOKEN: LiteralString = "CREATE (t:ApiToken) SET t = $props"
ALL_TOKENS: LiteralString = "MATCH (t:ApiToken) RETURN properties(t) AS props"
TOKEN_BY_DIGEST: LiteralString = (
    "MATCH (t:ApiToken {token_hash: $digest}) RETURN properties(t) AS props"
)
REVOKE_TOKEN: LiteralString = "MATCH (t:ApiToken {id: $id}) SET t.revoked_at = $at"
ACTIVE_TOKEN_COUNT: LiteralString = (
    "MATCH (t:ApiToken) WHERE t.revoked_at IS NULL RETURN count(t) AS active"
)
TIE_IDS_OF_STAKEHOLDER: LiteralString = (
    "MATCH (:Stakeholder {id: $id})<-[:TIE_FROM|TIE_TO]-(t:Tie) RETURN DISTINCT t.id AS id"
)
DELETE_CHANGES_OF: LiteralString = (
    "UNWIND $ids AS id MATCH (c:Change {entity_id: id}) DETACH DELETE c"
)

_TIE_ENDS: Mapping[Direction, list[str]] = {
    Direction.OUT: ["TIE_FROM"],
    Direction.IN: ["TIE_TO"],
    Direction.BOTH: ["TIE_FROM", "TIE_TO"],
}

# --- errors -------------------------------------------------------------------------------------


def _code(exc: Exception) -> str:
    return str(getattr(exc, "code", None) or "")


def _client_error(exc: Exception) -> StakenetError:
    code = _code(exc)
    if "TransactionTimedOut" in code or "TransactionTimedOutClientConfiguration" in code:
        return StoreTimeout("A database query ran past its time limit.")
    if code == "Neo.ClientError.Database.DatabaseNotFound":
        return StoreUnavailable("The configured Neo4j database does not exist.")
    return StoreUnavailable(f"The database rejected a query of the store ({code or 'no code'}).")


def _fixed(error: Callable[[], StakenetError]) -> Callable[[Exception], StakenetError]:
    return lambda _exc: error()


# Most specific class first. Messages are ours: server messages can quote the Cypher text.
EXC_MAP: tuple[tuple[type[Exception], Callable[[Exception], StakenetError]], ...] = (
    (
        neo4j_errors.ConstraintError,
        _fixed(lambda: Conflict("A key or id in this write is already used by another entity.")),
    ),
    (
        neo4j_errors.AuthError,
        _fixed(lambda: StoreUnavailable("The database refused the configured credentials.")),
    ),
    (
        neo4j_errors.Forbidden,
        _fixed(lambda: StoreUnavailable("The database user may not do what the store needs.")),
    ),
    (neo4j_errors.CypherSyntaxError, _client_error),
    (neo4j_errors.CypherTypeError, _client_error),
    (neo4j_errors.ClientError, _client_error),
    (
        neo4j_errors.TransientError,
        _fixed(lambda: StoreUnavailable("The database is busy or changing roles; retry later.")),
    ),
    (
        neo4j_errors.DatabaseError,
        _fixed(lambda: StoreUnavailable("The database reported an internal error.")),
    ),
    (neo4j_errors.Neo4jError, _fixed(lambda: StoreUnavailable("The database failed."))),
    (
        neo4j_errors.IncompleteCommit,
        _fixed(
            lambda: StoreUnavailable(
                "The connection was lost while committing; the write may or may not have landed."
            )
        ),
    ),
    (
        neo4j_errors.ServiceUnavailable,
        _fixed(lambda: StoreUnavailable("The database cannot be reached; retry later.")),
    ),
    (
        neo4j_errors.SessionExpired,
        _fixed(lambda: StoreUnavailable("The connection to the database was lost; retry later.")),
    ),
    (
        neo4j_errors.ConnectionAcquisitionTimeoutError,
        _fixed(lambda: StoreTimeout("No database connection became free in time.")),
    ),
    (
        neo4j_errors.ConnectionPoolError,
        _fixed(lambda: StoreUnavailable("The database connection pool failed.")),
    ),
    (
        neo4j_errors.ConfigurationError,
        _fixed(lambda: StoreUnavailable("The database connection is misconfigured.")),
    ),
    (
        neo4j_errors.TransactionError,
        _fixed(lambda: StoreUnavailable("A database transaction failed; retry later.")),
    ),
    (
        neo4j_errors.ResultError,
        _fixed(lambda: StoreUnavailable("A database result could not be read.")),
    ),
    (
        neo4j_errors.SessionError,
        _fixed(lambda: StoreUnavailable("A database session was used after it closed.")),
    ),
    (
        neo4j_errors.BrokenRecordError,
        _fixed(lambda: StoreUnavailable("The database sent a record that cannot be read.")),
    ),
    (neo4j_errors.DriverError, _fixed(lambda: StoreUnavailable("The database driver failed."))),
)

DRIVER_ERRORS = (neo4j_errors.Neo4jError, neo4j_errors.DriverError)


def translate_error(exc: Exception) -> StakenetError:
    """The domain error for a Neo4j driver or server exception, per `EXC_MAP`."""
    for driver_error, to_domain_error in EXC_MAP:
        if isinstance(exc, driver_error):
            return to_domain_error(exc)
    raise TypeError(f"{type(exc).__name__} is not a Neo4j driver error")  # pragma: no cover


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except DRIVER_ERRORS as exc:
        raise translate_error(exc) from exc


# --- schema -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SchemaScript:
    version: int
    name: str
    # Read from the package's own files, never from input: as trusted as the constants above.
    statements: tuple[LiteralString, ...]


def cypher_statements(script: str) -> tuple[LiteralString, ...]:
    """The statements of a schema script: `;`-terminated, `//` comment lines dropped."""
    code = "\n".join(line for line in script.splitlines() if not line.strip().startswith("//"))
    return tuple(" ".join(part.split()) for part in code.split(";") if part.strip())


def bundled_schema() -> list[SchemaScript]:
    """The Cypher schema shipped in `store/graph_schema`, named `NNNN_what.cypher`, in order."""
    folder = importlib.resources.files("stakenet.store").joinpath("graph_schema")
    scripts = [
        SchemaScript(
            int(entry.name.split("_", 1)[0]),
            entry.name,
            cypher_statements(entry.read_text("utf-8")),
        )
        for entry in folder.iterdir()
        if entry.name.endswith(".cypher")
    ]
    scripts.sort(key=lambda script: script.version)
    versions = [script.version for script in scripts]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"Two graph schema scripts share a version number: {versions}")
    return scripts


# --- encoding -----------------------------------------------------------------------------------


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _utc_text(moment: datetime) -> str:
    """Fixed-width UTC text, so that comparing the strings compares the instants."""
    return _as_utc(moment).isoformat(timespec="microseconds")


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _chunks(values: Sequence[R], size: int = CHUNK_SIZE) -> Iterator[Sequence[R]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _interaction_from_record(props: Mapping[str, Any], participants: Iterable[Any]) -> Interaction:
    present = [p for p in participants if p.get("stakeholder_id") is not None]
    present.sort(key=lambda p: p.get("position") or 0)
    data = dict(props)
    data["participants"] = present
    return interaction_from_dict(data)


def _last_by_id(entities: Iterable[R], id_of: Callable[[R], str]) -> list[R]:
    """Each id once, keeping its last version: a batch naming an entity twice means the later."""
    by_id: dict[str, R] = {}
    for entity in entities:
        by_id[id_of(entity)] = entity
    return list(by_id.values())


def _creation_time(existing: str | None, given: datetime | None, now: datetime) -> datetime:
    if existing is not None:
        return datetime.fromisoformat(existing)
    return now if given is None else _as_utc(given)


class _ChangeLog:
    """The changes of one batch: one entry per entity touched, holding its final state."""

    def __init__(self, revision: int) -> None:
        self.revision = revision
        self._entries: dict[tuple[EntityType, str], tuple[Change, dict[str, Any] | None]] = {}

    def __bool__(self) -> bool:
        return bool(self._entries)

    def _record(self, change: Change, payload: dict[str, Any] | None) -> None:
        key = (change.entity_type, change.entity_id)
        # A later write to the same entity replaces the earlier entry and moves it last.
        self._entries.pop(key, None)
        self._entries[key] = (change, payload)

    def upsert(
        self, entity_type: EntityType, entity: Stakeholder | Tie | Interaction, payload: Any
    ) -> None:
        self._record(
            Change(self.revision, entity_type, ChangeOp.UPSERT, entity.id, entity), payload
        )

    def delete(self, entity_type: EntityType, entity_id: str) -> None:
        self._record(Change(self.revision, entity_type, ChangeOp.DELETE, entity_id), None)

    def rows(self, first_seq: int) -> list[dict[str, Any]]:
        return [
            {
                "seq": first_seq + offset,
                "revision": change.revision,
                "entity_type": change.entity_type.value,
                "op": change.op.value,
                "entity_id": change.entity_id,
                "payload": None if payload is None else _json(payload),
            }
            for offset, (change, payload) in enumerate(self._entries.values())
        ]

    def changes(self) -> list[Change]:
        return [change for change, _ in self._entries.values()]


def _change_from_record(record: Mapping[str, Any]) -> Change:
    entity_type = EntityType(record["entity_type"])
    payload = record["payload"]
    entity = None if payload is None else entity_from_dict(entity_type, json.loads(payload))
    return Change(
        int(record["revision"]), entity_type, ChangeOp(record["op"]), record["entity_id"], entity
    )


class _Unchanged(Exception):
    """Raised inside a write transaction that changed nothing, to roll back its revision bump."""

    def __init__(self, revision: int) -> None:
        super().__init__(revision)
        self.revision = revision


@dataclass(frozen=True, slots=True)
class _KeyStatements:
    label: str
    key_owners: LiteralString
    clear_keys: LiteralString
    created_at: LiteralString


_STAKEHOLDER_KEYS = _KeyStatements(
    "stakeholder", STAKEHOLDER_KEY_OWNERS, CLEAR_STAKEHOLDER_KEYS, STAKEHOLDERS_CREATED_AT
)
_TIE_KEYS = _KeyStatements("tie", TIE_KEY_OWNERS, CLEAR_TIE_KEYS, TIES_CREATED_AT)
_INTERACTION_KEYS = _KeyStatements(
    "interaction", INTERACTION_KEY_OWNERS, CLEAR_INTERACTION_KEYS, INTERACTIONS_CREATED_AT
)


# --- statements run inside a transaction --------------------------------------------------------

Tx = neo4j.AsyncManagedTransaction


async def _data(tx: Tx, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
    result = await tx.run(query, params)
    return await result.data()


async def _data_chunked(
    tx: Tx, query: LiteralString, name: str, values: Sequence[Any], **params: Any
) -> list[dict[str, Any]]:
    """Run `query` once per chunk of `values`, passed as parameter `name`."""
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(values):
        rows += await _data(tx, query, **{name: list(chunk)}, **params)
    return rows


async def _read_revision(tx: Tx) -> int:
    rows = await _data(tx, READ_REVISION)
    return int(rows[0]["revision"]) if rows else 0


async def _interactions_by(
    tx: Tx, query: LiteralString, values: Sequence[str]
) -> list[Interaction]:
    rows = await _data_chunked(tx, query, "values", values)
    return [_interaction_from_record(row["props"], row["participants"]) for row in rows]


async def _delete(
    tx: Tx, query: LiteralString, ids: Sequence[str], entity_type: EntityType, log: _ChangeLog
) -> None:
    wanted = list(dict.fromkeys(ids))
    deleted = {row["id"] for row in await _data_chunked(tx, query, "ids", wanted)}
    for entity_id in wanted:
        if entity_id in deleted:
            log.delete(entity_type, entity_id)


async def _delete_stakeholders(tx: Tx, ids: Sequence[str], now: datetime, log: _ChangeLog) -> None:
    candidates = list(dict.fromkeys(ids))
    existing = {
        row["id"] for row in await _data_chunked(tx, EXISTING_STAKEHOLDERS, "ids", candidates)
    }
    wanted = [stakeholder_id for stakeholder_id in candidates if stakeholder_id in existing]
    if not wanted:
        return
    # Their ties and participation go first, each logged, before DETACH DELETE would drop them.
    tie_ids = {row["id"] for row in await _data_chunked(tx, TIE_IDS_OF_STAKEHOLDERS, "ids", wanted)}
    await _delete(tx, DELETE_TIES, sorted(tie_ids), EntityType.TIE, log)
    touched = sorted(
        {
            row["id"]
            for row in await _data_chunked(tx, INTERACTION_IDS_OF_STAKEHOLDERS, "ids", wanted)
        }
    )
    await _data_chunked(tx, REMOVE_PARTICIPATION_OF_STAKEHOLDERS, "ids", wanted)
    orphaned: list[str] = []
    kept: list[str] = []
    for interaction in sorted(
        await _interactions_by(tx, INTERACTIONS_BY_ID, touched), key=lambda i: i.id
    ):
        if not interaction.participants:
            orphaned.append(interaction.id)
            continue
        stored = replace(interaction, updated_at=now)
        kept.append(stored.id)
        log.upsert(EntityType.INTERACTION, stored, _interaction_payload(stored))
    await _data_chunked(tx, TOUCH_INTERACTIONS, "ids", kept, now=_utc_text(now))
    await _delete(tx, DELETE_INTERACTIONS, orphaned, EntityType.INTERACTION, log)
    await _data_chunked(tx, DELETE_STAKEHOLDERS, "ids", wanted)
    for stakeholder_id in wanted:
        log.delete(EntityType.STAKEHOLDER, stakeholder_id)


async def _check_keys(
    tx: Tx, statements: _KeyStatements, keyed: Sequence[tuple[str, str | None]]
) -> None:
    """Raise Conflict if a key would end up on two entities of one label.

    An existing entity that gives its key away in this same batch is not a conflict; its key
    is removed first, so the uniqueness constraint does not trip over the order of the batch.
    """
    claimed: dict[str, str] = {}
    for entity_id, key in keyed:
        if key is None:
            continue
        if claimed.setdefault(key, entity_id) != entity_id:
            raise Conflict(f"Key '{key}' is already used by another {statements.label}.")
    if not claimed:
        return
    batch_ids = {entity_id for entity_id, _ in keyed}
    handing_over = []
    for row in await _data_chunked(tx, statements.key_owners, "keys", list(claimed)):
        key, owner = row["key"], row["id"]
        if owner == claimed[key]:
            continue
        if owner not in batch_ids:
            raise Conflict(f"Key '{key}' is already used by another {statements.label}.")
        handing_over.append(owner)
    await _data_chunked(tx, statements.clear_keys, "ids", handing_over)


async def _created_at(tx: Tx, statements: _KeyStatements, ids: Sequence[str]) -> dict[str, str]:
    rows = await _data_chunked(tx, statements.created_at, "ids", ids)
    return {row["id"]: row["created_at"] for row in rows}


async def _check_stakeholders_exist(tx: Tx, references: Sequence[tuple[str, str, str]]) -> None:
    """Raise NotFound for the first (label, id, stakeholder id) whose stakeholder is missing."""
    wanted = list(dict.fromkeys(stakeholder_id for _, _, stakeholder_id in references))
    existing = {row["id"] for row in await _data_chunked(tx, EXISTING_STAKEHOLDERS, "ids", wanted)}
    for label, entity_id, stakeholder_id in references:
        if stakeholder_id not in existing:
            raise NotFound(
                f"{label} '{entity_id}' refers to stakeholder '{stakeholder_id}', "
                "which does not exist."
            )


def _stamped(data: dict[str, Any], created_at: datetime | None, now: datetime) -> dict[str, Any]:
    data["created_at"] = _utc_text(cast(datetime, created_at))
    data["updated_at"] = _utc_text(now)
    return data


def _interaction_payload(interaction: Interaction) -> dict[str, Any]:
    data = _stamped(
        interaction_to_dict(interaction),
        interaction.created_at,
        cast(datetime, interaction.updated_at),
    )
    data["occurred_at"] = _utc_text(interaction.occurred_at)
    return data


async def _upsert_stakeholders(
    tx: Tx, stakeholders: Sequence[Stakeholder], now: datetime, log: _ChangeLog
) -> None:
    items = _last_by_id(stakeholders, lambda stakeholder: stakeholder.id)
    if not items:
        return
    await _check_keys(tx, _STAKEHOLDER_KEYS, [(s.id, s.key) for s in items])
    created = await _created_at(tx, _STAKEHOLDER_KEYS, [s.id for s in items])
    rows = []
    for stakeholder in items:
        stored = replace(
            stakeholder,
            created_at=_creation_time(created.get(stakeholder.id), stakeholder.created_at, now),
            updated_at=now,
        )
        data = _stamped(stakeholder_to_dict(stored), stored.created_at, now)
        rows.append({"id": stored.id, "props": {**data, "name_folded": fold(stored.name)}})
        log.upsert(EntityType.STAKEHOLDER, stored, data)
    await _data_chunked(tx, UPSERT_STAKEHOLDERS, "rows", rows)


async def _upsert_ties(tx: Tx, ties: Sequence[Tie], now: datetime, log: _ChangeLog) -> None:
    items = _last_by_id(ties, lambda tie: tie.id)
    if not items:
        return
    await _check_keys(tx, _TIE_KEYS, [(tie.id, tie.key) for tie in items])
    await _check_stakeholders_exist(
        tx, [("Tie", t.id, end) for t in items for end in (t.source_id, t.target_id)]
    )
    created = await _created_at(tx, _TIE_KEYS, [tie.id for tie in items])
    # Existing ties lose their end relationships; the upsert draws them again.
    await _data_chunked(tx, DETACH_TIE_ENDS, "ids", list(created))
    rows = []
    for tie in items:
        stored = replace(
            tie, created_at=_creation_time(created.get(tie.id), tie.created_at, now), updated_at=now
        )
        data = _stamped(tie_to_dict(stored), stored.created_at, now)
        rows.append({"id": stored.id, "props": data})
        log.upsert(EntityType.TIE, stored, data)
    await _data_chunked(tx, UPSERT_TIES, "rows", rows)


async def _upsert_interactions(
    tx: Tx, interactions: Sequence[Interaction], now: datetime, log: _ChangeLog
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
    await _check_keys(tx, _INTERACTION_KEYS, [(i.id, i.key) for i in items])
    await _check_stakeholders_exist(
        tx, [("Interaction", i.id, sid) for i in items for sid in i.participant_ids]
    )
    created = await _created_at(tx, _INTERACTION_KEYS, [i.id for i in items])
    await _data_chunked(tx, DETACH_PARTICIPANTS, "ids", list(created))
    rows = []
    participant_rows: list[dict[str, Any]] = []
    for interaction in items:
        stored = replace(
            interaction,
            occurred_at=_as_utc(interaction.occurred_at),
            created_at=_creation_time(created.get(interaction.id), interaction.created_at, now),
            updated_at=now,
        )
        data = _interaction_payload(stored)
        props = {key: value for key, value in data.items() if key != "participants"}
        rows.append({"id": stored.id, "props": props})
        participant_rows.extend(
            {
                "interaction_id": stored.id,
                "stakeholder_id": participant.stakeholder_id,
                "position": position,
                "acting_as": participant.acting_as,
            }
            for position, participant in enumerate(stored.participants)
        )
        log.upsert(EntityType.INTERACTION, stored, data)
    await _data_chunked(tx, UPSERT_INTERACTIONS, "rows", rows)
    await _data_chunked(tx, ADD_PARTICIPANTS, "rows", participant_rows)


async def _apply(tx: Tx, batch: WriteBatch) -> WriteResult:
    # Everything is derived inside the transaction, so a retried attempt starts afresh.
    [meta] = await _data(tx, BUMP_REVISION)
    revision, last_seq = int(meta["revision"]), int(meta["last_seq"])
    log = _ChangeLog(revision)
    now = datetime.now(UTC)
    await _delete(tx, DELETE_INTERACTIONS, batch.delete_interactions, EntityType.INTERACTION, log)
    await _delete(tx, DELETE_TIES, batch.delete_ties, EntityType.TIE, log)
    await _delete_stakeholders(tx, batch.delete_stakeholders, now, log)
    await _upsert_stakeholders(tx, batch.upsert_stakeholders, now, log)
    await _upsert_ties(tx, batch.upsert_ties, now, log)
    await _upsert_interactions(tx, batch.upsert_interactions, now, log)
    if not log:
        # Only deletes of ids that were already gone: roll back, the revision stays.
        raise _Unchanged(revision - 1)
    rows = log.rows(last_seq + 1)
    await _data_chunked(tx, APPEND_CHANGES, "rows", rows)
    await _data(tx, SET_LAST_SEQ, last_seq=last_seq + len(rows))
    if batch.audit is not None:
        # In the batch's own transaction: the trail never misses nor invents a change.
        await _insert_audit(tx, replace(batch.audit, revision=revision))
    return WriteResult(revision, log.changes())


# --- access: tokens and the audit trail --------------------------------------------------------


def _token_props(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "role": token.role.value,
        "token_hash": token.token_hash,
        "created_at": _utc_text(token.created_at),
        "revoked_at": None if token.revoked_at is None else _utc_text(token.revoked_at),
    }


def _token_from_props(props: Mapping[str, Any]) -> ApiToken:
    revoked_at = props.get("revoked_at")
    return ApiToken(
        id=props["id"],
        name=props["name"],
        role=Role(props["role"]),
        token_hash=props["token_hash"],
        created_at=datetime.fromisoformat(props["created_at"]),
        revoked_at=None if revoked_at is None else datetime.fromisoformat(revoked_at),
    )


def _audit_from_props(props: Mapping[str, Any]) -> AuditEntry:
    return AuditEntry(
        at=datetime.fromisoformat(props["at"]),
        actor=props["actor"],
        operation=props["operation"],
        entity_ids=tuple(props.get("entity_ids") or ()),
        fields=tuple(props.get("fields") or ()),
        seq=int(props["seq"]),
        revision=None if props.get("revision") is None else int(props["revision"]),
        detail=json.loads(props.get("detail") or "{}"),
    )


async def _insert_audit(tx: Tx, entry: AuditEntry) -> AuditEntry:
    [row] = await _data(tx, NEXT_AUDIT_SEQ)
    stored = replace(entry, seq=int(row["seq"]))
    props = {
        "seq": stored.seq,
        "at": _utc_text(stored.at),
        "actor": stored.actor,
        "operation": stored.operation,
        "revision": stored.revision,
        "entity_ids": list(stored.entity_ids),
        "fields": list(stored.fields),
        "detail": json.dumps(stored.detail, sort_keys=True),
    }
    await _data(tx, INSERT_AUDIT_ENTRY, props=props)
    return stored


async def _create_token(tx: Tx, token: ApiToken) -> None:
    await _data(tx, LOCK_META)
    if await _data(tx, ACTIVE_TOKENS_NAMED, name=token.name):
        raise Conflict(f"An active token named '{token.name}' already exists.")
    await _data(tx, INSERT_TOKEN, props=_token_props(token))


async def _revoke_token(tx: Tx, name: str, at: datetime) -> ApiToken:
    await _data(tx, LOCK_META)
    rows = await _data(tx, ACTIVE_TOKENS_NAMED, name=name)
    if not rows:
        raise NotFound(f"No active token named '{name}'.")
    token = _token_from_props(rows[0]["props"])
    await _data(tx, REVOKE_TOKEN, id=token.id, at=_utc_text(at))
    return replace(token, revoked_at=_as_utc(at))


async def _erase_stakeholder(tx: Tx, stakeholder_id: str, audit: AuditEntry) -> WriteResult:
    [meta] = await _data(tx, BUMP_REVISION)
    revision, last_seq = int(meta["revision"]), int(meta["last_seq"])
    if not await _data(tx, EXISTING_STAKEHOLDERS, ids=[stakeholder_id]):
        raise NotFound(f"No stakeholder with id '{stakeholder_id}'.")
    tie_ids = [row["id"] for row in await _data(tx, TIE_IDS_OF_STAKEHOLDER, id=stakeholder_id)]
    # Every earlier copy of the stakeholder's data and of its ties goes first.
    await _data_chunked(tx, DELETE_CHANGES_OF, "ids", [stakeholder_id, *tie_ids])
    log = _ChangeLog(revision)
    await _delete_stakeholders(tx, [stakeholder_id], datetime.now(UTC), log)
    rows = log.rows(last_seq + 1)
    await _data_chunked(tx, APPEND_CHANGES, "rows", rows)
    await _data(tx, SET_LAST_SEQ, last_seq=last_seq + len(rows))
    await _insert_audit(tx, replace(audit, revision=revision))
    return WriteResult(revision, log.changes())


# --- connection settings ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Neo4jSettings:
    uri: str  # scheme, host and port only: what the driver connects to
    user: str
    password: str = field(repr=False)
    database: str


def neo4j_settings(url: str, environ: Mapping[str, str]) -> Neo4jSettings:
    """Split `bolt://user:password@host:7687/database` (or neo4j://, neo4j+s://, bolt+s://).

    The URL's user, password and database win; STAKENET_NEO4J_USER, STAKENET_NEO4J_PASSWORD and
    STAKENET_NEO4J_DATABASE in `environ` fill what it leaves out (user and database default to
    "neo4j"). Raises ValueError, never quoting the URL, for one the driver could not use.
    """
    parts = urlsplit(url)
    if parts.scheme not in NEO4J_SCHEMES:
        raise ValueError(f"the scheme must be one of {', '.join(sorted(NEO4J_SCHEMES))}.")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("the port is not a number between 0 and 65535.") from None
    if not parts.hostname:
        raise ValueError("no host is named.")
    if parts.query or parts.fragment:
        raise ValueError("a query string or fragment is not supported.")
    database = unquote(parts.path.strip("/"))
    if "/" in database:
        raise ValueError("the path must be one database name.")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return Neo4jSettings(
        uri=f"{parts.scheme}://{host}" + (f":{port}" if port is not None else ""),
        user=unquote(parts.username or "") or environ.get("STAKENET_NEO4J_USER") or "neo4j",
        password=unquote(parts.password or "") or environ.get("STAKENET_NEO4J_PASSWORD", ""),
        database=database or environ.get("STAKENET_NEO4J_DATABASE") or "neo4j",
    )


# --- the store ----------------------------------------------------------------------------------


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
    """A `GraphStore` on a Neo4j (or Bolt-compatible) database.

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
    ) -> None:
        self.uri = uri
        self.user = user
        self.database = database
        self.query_timeout = query_timeout
        self.max_retry_time = max_retry_time
        self.connection_timeout = connection_timeout
        self._password = _Secret(password)
        self._driver: neo4j.AsyncDriver | None = None
        self._write_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"Neo4jStore(uri={self.uri!r}, user={self.user!r}, database={self.database!r})"

    # -- lifecycle and plumbing

    async def open(self) -> None:
        if self._driver is not None:
            return
        with _translated():
            driver = neo4j.AsyncGraphDatabase.driver(
                self.uri,
                auth=(self.user, self._password.reveal()),
                connection_timeout=self.connection_timeout,
                max_transaction_retry_time=self.max_retry_time,
                user_agent="stakenet",
            )
        try:
            with _translated():
                await driver.verify_connectivity()
                await self._migrate(driver)
            self._driver = driver
            await self._write(_ensure_meta)
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
        # schema and data writes in one transaction. All are IF NOT EXISTS, so rerunning is safe.
        async with driver.session(database=self.database) as session:
            for script in bundled_schema():
                for statement in script.statements:
                    query = neo4j.Query(statement, timeout=self.query_timeout)
                    result = await session.run(query)
                    await result.consume()

    def _session(self, access_mode: str) -> neo4j.AsyncSession:
        if self._driver is None:
            raise StoreUnavailable("The Neo4j store is not open.")
        return self._driver.session(database=self.database, default_access_mode=access_mode)

    async def _read(self, work: Callable[..., Awaitable[R]], *args: Any) -> R:
        with _translated():
            async with self._session(neo4j.READ_ACCESS) as session:
                timed = neo4j.unit_of_work(timeout=self.query_timeout)(work)
                return await session.execute_read(timed, *args)

    async def _write(
        self, work: Callable[..., Awaitable[R]], *args: Any, server_timeout: float | None = None
    ) -> R:
        """Run `work` in a managed write transaction, again if it raced another writer.

        The driver retries transient errors itself. ArcadeDB's optimistic transactions report
        two writers creating the same new node (MERGE on one id) as a ConstraintError at commit
        instead of serialising them; a new attempt sees the winner's node. Keys the batch
        itself gets wrong are caught before writing, as Conflict, so a ConstraintError here
        means such a race.
        """
        with _translated():
            # Writers of this process queue here rather than race on the server.
            async with self._write_lock, self._session(neo4j.WRITE_ACCESS) as session:
                timed = neo4j.unit_of_work(timeout=server_timeout or self.query_timeout)(work)
                for attempt in range(1, WRITE_ATTEMPTS):
                    with contextlib.suppress(neo4j_errors.ConstraintError):
                        return await session.execute_write(timed, *args)
                    await asyncio.sleep(random.uniform(0.05, 0.2) * attempt)
                return await session.execute_write(timed, *args)

    # -- reads

    async def revision(self) -> int:
        return await self._read(_read_revision)

    async def counts(self) -> Counts:
        async def count(tx: Tx) -> Counts:
            [row] = await _data(tx, COUNTS)
            return Counts(
                stakeholders=int(row["stakeholders"]),
                ties=int(row["ties"]),
                interactions=int(row["interactions"]),
                revision=int(row["revision"]),
            )

        return await self._read(count)

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

        async def fetch(tx: Tx) -> list[R]:
            return [
                decode(row["props"]) for row in await _data_chunked(tx, query, "values", wanted)
            ]

        return await self._read(fetch)

    async def _fetch_interactions(
        self, query: LiteralString, values: Sequence[str]
    ) -> list[Interaction]:
        wanted = list(dict.fromkeys(values))
        if not wanted:
            return []
        return await self._read(_interactions_by, query, wanted)

    async def find_stakeholders(
        self,
        where: StakeholderFilter,
        page: PageRequest,
        order: StakeholderOrder = StakeholderOrder.NAME,
    ) -> Page[Stakeholder]:
        page.check()
        after = None if page.after is None else decode_cursor(page.after, order)
        params: dict[str, Any] = {
            "kind": None if where.kind is None else where.kind.value,
            "search": fold(where.search) if where.search else None,
            "tags": list(dict.fromkeys(where.tags)),
            "internal": where.internal,
            "updated_since": None
            if where.updated_since is None
            else _utc_text(where.updated_since),
        }
        query = (
            FIND_STAKEHOLDERS_BY_NAME
            if order is StakeholderOrder.NAME
            else FIND_STAKEHOLDERS_BY_UPDATED_AT
        )

        async def find(tx: Tx) -> Page[Stakeholder]:
            rows = await _data(
                tx,
                query,
                **params,
                after_sort=None if after is None else after[0],
                after_id=None if after is None else after[1],
                limit=page.first + 1,
            )
            [counted] = await _data(tx, COUNT_STAKEHOLDERS, **params)
            shown = rows[: page.first]
            return Page(
                items=[stakeholder_from_dict(row["props"]) for row in shown],
                cursors=[
                    encode_cursor(order, row["sort_value"], row["props"]["id"]) for row in shown
                ],
                has_next_page=len(rows) > page.first,
                total_count=int(counted["total"]),
            )

        return await self._read(find)

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

        async def find(tx: Tx) -> list[Tie]:
            rows = await _data_chunked(
                tx, TIES_OF, "ids", ids, ends=_TIE_ENDS[direction], kinds=kind_values
            )
            found = {row["props"]["id"]: tie_from_dict(row["props"]) for row in rows}
            return [found[tie_id] for tie_id in sorted(found)]

        return await self._read(find)

    async def interactions_of(
        self, stakeholder_ids: Sequence[str], since: datetime | None = None
    ) -> list[Interaction]:
        ids = list(dict.fromkeys(stakeholder_ids))
        if not ids:
            return []
        cutoff = None if since is None else _utc_text(since)

        async def find(tx: Tx) -> list[Interaction]:
            rows = await _data_chunked(tx, INTERACTION_IDS_OF, "ids", ids, since=cutoff)
            interaction_ids = sorted({row["id"] for row in rows})
            return await _interactions_by(tx, INTERACTIONS_BY_ID, interaction_ids)

        found = await self._read(find)
        found.sort(key=lambda interaction: interaction.id)
        found.sort(key=lambda interaction: interaction.occurred_at, reverse=True)
        return found

    async def load_all(self) -> GraphData:
        async def load(tx: Tx) -> GraphData:
            revision = await _read_revision(tx)
            stakeholders = [
                stakeholder_from_dict(r["props"]) for r in await _data(tx, ALL_STAKEHOLDERS)
            ]
            ties = [tie_from_dict(r["props"]) for r in await _data(tx, ALL_TIES)]
            interactions = [
                _interaction_from_record(r["props"], r["participants"])
                for r in await _data(tx, ALL_INTERACTIONS)
            ]
            return GraphData(
                revision,
                sorted(stakeholders, key=lambda s: s.id),
                sorted(ties, key=lambda t: t.id),
                sorted(interactions, key=lambda i: i.id),
            )

        return await self._read(load)

    async def changes_since(self, revision: int, limit: int = 10_000) -> list[Change]:
        if limit < 1:
            raise ValidationFailed([Issue("limit", f"limit must be at least 1, not {limit}.")])

        async def read(tx: Tx) -> list[Change]:
            rows = await _data(tx, CHANGES_AFTER, revision=revision, limit=limit)
            if len(rows) == limit:
                # The limit may have cut a revision in two: take the rest of the last one.
                last = rows[-1]
                rows += await _data(
                    tx, CHANGES_REST_OF_REVISION, revision=last["revision"], seq=last["seq"]
                )
            return [_change_from_record(row) for row in rows]

        return await self._read(read)

    # -- writes

    async def apply(self, batch: WriteBatch) -> WriteResult:
        if len(batch) == 0:
            return WriteResult(await self.revision(), [])
        try:
            # One transaction holds the whole batch: its time limit grows with the batch.
            limit = self.query_timeout + len(batch) / 1000 * SECONDS_PER_THOUSAND_ROWS
            return await self._write(_apply, batch, server_timeout=limit)
        except _Unchanged as unchanged:
            return WriteResult(unchanged.revision, [])

    # -- access: tokens and the audit trail

    async def create_token(self, token: ApiToken) -> None:
        await self._write(_create_token, token)

    async def list_tokens(self) -> list[ApiToken]:
        async def read(tx: Tx) -> list[ApiToken]:
            tokens = [_token_from_props(row["props"]) for row in await _data(tx, ALL_TOKENS)]
            return sorted(tokens, key=lambda token: (token.created_at, token.id))

        return await self._read(read)

    async def revoke_token(self, name: str, at: datetime) -> ApiToken:
        return await self._write(_revoke_token, name, at)

    async def token_by_digest(self, digest: str) -> ApiToken | None:
        async def read(tx: Tx) -> ApiToken | None:
            rows = await _data(tx, TOKEN_BY_DIGEST, digest=digest)
            return _token_from_props(rows[0]["props"]) if rows else None

        return await self._read(read)

    async def active_token_count(self) -> int:
        async def read(tx: Tx) -> int:
            [row] = await _data(tx, ACTIVE_TOKEN_COUNT)
            return int(row["active"])

        return await self._read(read)

    async def record_audit(self, entry: AuditEntry) -> AuditEntry:
        return await self._write(_insert_audit, entry)

    async def audit_entries(
        self, after_seq: int = 0, first: int = 100, entity_id: str | None = None
    ) -> list[AuditEntry]:
        async def read(tx: Tx) -> list[AuditEntry]:
            rows = await _data(
                tx, AUDIT_ENTRIES, after_seq=after_seq, first=first, entity_id=entity_id
            )
            return [_audit_from_props(row["props"]) for row in rows]

        return await self._read(read)

    async def erase_stakeholder(self, stakeholder_id: str, audit: AuditEntry) -> WriteResult:
        # Deleted records stay in Neo4j's store files until their space is reused; the data is
        # no longer readable through Cypher or the change log.
        return await self._write(_erase_stakeholder, stakeholder_id, audit)


async def _ensure_meta(tx: Tx) -> None:
    await _data(tx, ENSURE_META)


def _in_order(
    asked: Sequence[str], found: Iterable[R], value_of: Callable[[R], str | None]
) -> list[R | None]:
    by_value = {value_of(entity): entity for entity in found}
    return [by_value.get(value) for value in asked]
