"""Every Cypher statement of the Neo4j store, as module-level `LiteralString` constants.

Labels and relationship types are fixed in the text; values are always `$parameters`. Public
upper-case strings are whole statements; names with a leading underscore are fragments. The
stakeholder listing is composed from fragments by `stakeholder_listing`, and
`stakeholder_listings` lists every statement it can compose, so a test runs each of them, like
each constant, through Neo4j's parser.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence
from typing import LiteralString

from stakenet.store.port import StakeholderOrder

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

ANY_STAKEHOLDER: LiteralString = "MATCH (s:Stakeholder) RETURN s.id AS id LIMIT 1"

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

# Listing stakeholders. The WHERE clause holds only the conditions of the filters that are set,
# each a plain comparison the planner can serve from an index of graph_schema/ (a condition
# like `($kind IS NULL OR s.kind = $kind)` cannot be); `stakeholder_listing` joins them.
_MATCH_STAKEHOLDERS: LiteralString = "MATCH (s:Stakeholder) "
_KIND_IS: LiteralString = "s.kind = $kind"
_NAME_CONTAINS: LiteralString = "s.name_folded CONTAINS $search"
_HAS_TAGS: LiteralString = "all(tag IN $tags WHERE tag IN s.tags)"
_INTERNAL_IS: LiteralString = "s.internal = $internal"
_UPDATED_SINCE: LiteralString = "s.updated_at >= $updated_since"
# The filters by the name of their parameter, in the order their conditions are written.
STAKEHOLDER_FILTERS: Mapping[str, LiteralString] = {
    "kind": _KIND_IS,
    "search": _NAME_CONTAINS,
    "tags": _HAS_TAGS,
    "internal": _INTERNAL_IS,
    "updated_since": _UPDATED_SINCE,
}
_AFTER_BY_NAME: LiteralString = (
    "(s.name_folded > $after_sort OR (s.name_folded = $after_sort AND s.id > $after_id))"
)
_AFTER_BY_UPDATED_AT: LiteralString = (
    "(s.updated_at < $after_sort OR (s.updated_at = $after_sort AND s.id > $after_id))"
)
_PAGE_BY_NAME: LiteralString = (
    "RETURN s.name_folded AS sort_value, properties(s) AS props "
    "ORDER BY s.name_folded, s.id LIMIT $limit"
)
_PAGE_BY_UPDATED_AT: LiteralString = (
    "RETURN s.updated_at AS sort_value, properties(s) AS props "
    "ORDER BY s.updated_at DESC, s.id LIMIT $limit"
)
_COUNT: LiteralString = "RETURN count(s) AS total"


def _where(conditions: Sequence[LiteralString]) -> LiteralString:
    return "WHERE " + " AND ".join(conditions) + " " if conditions else ""


def _filter_conditions(filters: Collection[str]) -> list[LiteralString]:
    unknown = set(filters) - STAKEHOLDER_FILTERS.keys()
    if unknown:
        raise ValueError(f"No stakeholder filter is called {', '.join(sorted(unknown))}.")
    return [condition for name, condition in STAKEHOLDER_FILTERS.items() if name in filters]


def stakeholder_listing(
    filters: Collection[str], order: StakeholderOrder, *, after: bool
) -> tuple[LiteralString, LiteralString]:
    """The page and count statements for the filters named (keys of `STAKEHOLDER_FILTERS`).

    The page statement takes $after_sort and $after_id when `after`, and $limit.
    """
    conditions = _filter_conditions(filters)
    by_name = order is StakeholderOrder.NAME
    page_conditions = [*conditions, _AFTER_BY_NAME if by_name else _AFTER_BY_UPDATED_AT]
    page = (
        _MATCH_STAKEHOLDERS
        + _where(page_conditions if after else conditions)
        + (_PAGE_BY_NAME if by_name else _PAGE_BY_UPDATED_AT)
    )
    return page, _MATCH_STAKEHOLDERS + _where(conditions) + _COUNT


def stakeholder_listings() -> list[LiteralString]:
    """Every statement `stakeholder_listing` can build, each once."""
    statements: dict[LiteralString, None] = {}
    for chosen in itertools.product((False, True), repeat=len(STAKEHOLDER_FILTERS)):
        filters = [name for name, on in zip(STAKEHOLDER_FILTERS, chosen, strict=True) if on]
        for order in StakeholderOrder:
            for after in (False, True):
                statements.update(dict.fromkeys(stakeholder_listing(filters, order, after=after)))
    return list(statements)


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

# The change log's horizon: the newest revision whose changes were pruned (0 while none were).
READ_LOG_HORIZON: LiteralString = (
    "MATCH (m:GraphMeta {id: 'graph'}) RETURN coalesce(m.log_horizon, 0) AS horizon"
)

# Setting the horizon first takes the meta node's write lock, as batches do.
PRUNE_CHANGE_LOG: LiteralString = (
    "MATCH (m:GraphMeta {id: 'graph'}) "
    "WITH m, CASE WHEN coalesce(m.log_horizon, 0) > m.revision - $keep "
    "THEN coalesce(m.log_horizon, 0) ELSE m.revision - $keep END AS horizon "
    "SET m.log_horizon = horizon RETURN horizon"
)

DELETE_CHANGES_UP_TO: LiteralString = (
    "MATCH (c:Change) WHERE c.revision <= $horizon DETACH DELETE c"
)

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

TIE_IDENTITIES: LiteralString = (
    "UNWIND $ids AS id MATCH (t:Tie {id: id}) "
    "RETURN id, t.kind AS kind, t.source_id AS source_id, t.target_id AS target_id, t.key AS key"
)

# The keyless ties that hold each claimed identity (`TieIdentity`): a symmetric kind's either
# way round. Found from the first end's relationships, not by scanning every tie.
TIE_IDENTITY_OWNERS: LiteralString = (
    "UNWIND $claims AS claim "
    "MATCH (:Stakeholder {id: claim.first_id})<-[:TIE_FROM|TIE_TO]-(t:Tie) "
    "WHERE t.kind = claim.kind AND t.key IS NULL AND ("
    "(t.source_id = claim.first_id AND t.target_id = claim.second_id) OR "
    "(claim.symmetric AND t.source_id = claim.second_id AND t.target_id = claim.first_id)) "
    "RETURN DISTINCT claim.number AS claim, t.id AS id"
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

# The ids come apart from the other properties: only the first $ids_limit of them, if given.
AUDIT_ENTRIES: LiteralString = (
    "MATCH (a:AuditEntry) WHERE a.seq > $after_seq "
    "AND ($entity_id IS NULL OR $entity_id IN a.entity_ids) "
    "WITH a, coalesce(a.entity_ids, []) AS ids ORDER BY a.seq LIMIT $first "
    "RETURN a {.seq, .at, .actor, .operation, .revision, .fields, .detail} AS props, "
    "CASE WHEN $ids_limit IS NULL THEN ids ELSE ids[0..$ids_limit] END AS entity_ids, "
    "size(ids) AS entity_count ORDER BY a.seq"
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

TOMBSTONE_AUDIT_ENTRIES: LiteralString = (
    "MATCH (a:AuditEntry) WHERE $id IN a.entity_ids "
    "SET a.entity_ids = [value IN a.entity_ids | "
    "CASE WHEN value = $id THEN $tombstone ELSE value END]"
)
