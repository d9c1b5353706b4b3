"""Every Cypher statement of the Neo4j store, as module-level `LiteralString` constants.

Labels and relationship types are fixed in the text, from the allow-lists `STAKEHOLDER_LABELS`
and `TIE_TYPES`, never from values; values are always `$parameters`. Public upper-case strings
are whole statements, public upper-case mappings hold one statement per kind, public upper-case
tuples name the values of a first import's rows in their order, and names with a leading
underscore are fragments. The stakeholder listing is composed from fragments by
`stakeholder_listing`; `stakeholder_listings` and `statements_per_kind` list every statement
composed, so a test runs each of them, like each constant, through Neo4j's parser.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import fields
from typing import LiteralString

from stakenet.domain.model import Interaction, Stakeholder, StakeholderKind, Tie, TieKind
from stakenet.store.port import StakeholderOrder

# The label of each stakeholder kind, besides `:Stakeholder`, and the relationship type of each
# tie kind: written out, so that no label or type in a statement ever comes from a value.
STAKEHOLDER_LABELS: Mapping[StakeholderKind, LiteralString] = {
    StakeholderKind.PERSON: "Person",
    StakeholderKind.COMPANY: "Company",
    StakeholderKind.MUNICIPALITY: "Municipality",
    StakeholderKind.ORGANIZATION: "Organization",
}
TIE_TYPES: Mapping[TieKind, LiteralString] = {
    TieKind.WORKS_FOR: "WORKS_FOR",
    TieKind.BOARD_MEMBER_OF: "BOARD_MEMBER_OF",
    TieKind.REPORTS_TO: "REPORTS_TO",
    TieKind.KNOWS: "KNOWS",
    TieKind.FAMILY: "FAMILY",
    TieKind.ADVISES: "ADVISES",
    TieKind.REPRESENTS: "REPRESENTS",
    TieKind.INFLUENCES: "INFLUENCES",
    TieKind.OWNS: "OWNS",
    TieKind.PARTNER_OF: "PARTNER_OF",
    TieKind.SUPPLIES: "SUPPLIES",
    TieKind.CLIENT_OF: "CLIENT_OF",
    TieKind.MEMBER_OF: "MEMBER_OF",
    TieKind.LOCATED_IN: "LOCATED_IN",
    TieKind.RELATIONSHIP_OWNER: "RELATIONSHIP_OWNER",
}
if set(STAKEHOLDER_LABELS) != set(StakeholderKind) or set(TIE_TYPES) != set(TieKind):
    raise RuntimeError("Every stakeholder kind needs a label and every tie kind a type.")

# Any tie, as a relationship type expression: `()-[t:ANY]->()` with `{id: …}` is planned as one
# unique-index seek per type (graph_schema/0004), never a scan of the relationships.
_ANY_TIE: LiteralString = "|".join(TIE_TYPES.values())

# Reads that reach a tie by its type alone start it at a `:Stakeholder`: the ties of a first
# import still being written join its staged nodes, which have no such label (`first_import`).
_PUBLISHED_TIE: LiteralString = "(:Stakeholder)-[t:" + _ANY_TIE

# A tie as its fields: the relationship's properties, with the kind and ends it is.
_TIE_FIELDS: LiteralString = (
    "t {.*, kind: type(t), source_id: startNode(t).id, target_id: endNode(t).id} AS props"
)

ENSURE_META: LiteralString = (
    "MERGE (m:GraphMeta {id: 'graph'}) ON CREATE SET m.revision = 0, m.last_seq = 0"
)

READ_REVISION: LiteralString = "MATCH (m:GraphMeta {id: 'graph'}) RETURN m.revision AS revision"

# Incrementing first takes the node's write lock, so concurrent batches run one after another.
# It also says whether parts of a first import that never committed are left (`first_import`):
# the lock it takes is the one every live import holds, so whoever holds it may remove them.
BUMP_REVISION: LiteralString = (
    "MATCH (m:GraphMeta {id: 'graph'}) SET m.revision = m.revision + 1 "
    "RETURN m.revision AS revision, m.last_seq AS last_seq, "
    "EXISTS { MATCH (:StagedStakeholder) } OR EXISTS { MATCH (:StagedInteraction) } AS staged"
)

SET_LAST_SEQ: LiteralString = "MATCH (m:GraphMeta {id: 'graph'}) SET m.last_seq = $last_seq"

ANY_STAKEHOLDER: LiteralString = "MATCH (s:Stakeholder) RETURN s.id AS id LIMIT 1"

ANY_INTERACTION: LiteralString = "MATCH (i:Interaction) RETURN i.id AS id LIMIT 1"

COUNTS: LiteralString = (
    "MATCH (m:GraphMeta {id: 'graph'}) "
    "RETURN COUNT { (:Stakeholder) } AS stakeholders, COUNT { (:Stakeholder)-[:"
    + _ANY_TIE
    + "]->() } AS ties, "
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
    "UNWIND $values AS value MATCH " + _PUBLISHED_TIE + " {id: value}]->() RETURN " + _TIE_FIELDS
)

TIES_BY_KEY: LiteralString = (
    "UNWIND $values AS value MATCH " + _PUBLISHED_TIE + " {key: value}]->() RETURN " + _TIE_FIELDS
)

ALL_TIES: LiteralString = "MATCH " + _PUBLISHED_TIE + "]->() RETURN " + _TIE_FIELDS

# The ties of stakeholders: from them (OUT), to them (IN) or either way (BOTH).
_TIES_OF_KINDS: LiteralString = (
    "WHERE size($kinds) = 0 OR type(t) IN $kinds RETURN DISTINCT " + _TIE_FIELDS
)
TIES_FROM: LiteralString = (
    "UNWIND $ids AS id MATCH (:Stakeholder {id: id})-[t:" + _ANY_TIE + "]->() " + _TIES_OF_KINDS
)
TIES_TO: LiteralString = (
    "UNWIND $ids AS id MATCH (:Stakeholder {id: id})<-[t:" + _ANY_TIE + "]-() " + _TIES_OF_KINDS
)
TIES_OF: LiteralString = (
    "UNWIND $ids AS id MATCH (:Stakeholder {id: id})-[t:" + _ANY_TIE + "]-() " + _TIES_OF_KINDS
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

DELETE_TIES: LiteralString = (
    "UNWIND $ids AS id MATCH ()-[t:" + _ANY_TIE + " {id: id}]->() DELETE t RETURN id"
)

DELETE_STAKEHOLDERS: LiteralString = (
    "UNWIND $ids AS id MATCH (s:Stakeholder {id: id}) DETACH DELETE s"
)

EXISTING_STAKEHOLDERS: LiteralString = "UNWIND $ids AS id MATCH (:Stakeholder {id: id}) RETURN id"

TIE_IDS_OF_STAKEHOLDERS: LiteralString = (
    "UNWIND $ids AS id MATCH (:Stakeholder {id: id})-[t:" + _ANY_TIE + "]-() "
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
    "UNWIND $keys AS key MATCH ()-[t:" + _ANY_TIE + " {key: key}]->() RETURN key, t.id AS id"
)

INTERACTION_KEY_OWNERS: LiteralString = (
    "UNWIND $keys AS key MATCH (i:Interaction {key: key}) RETURN key, i.id AS id"
)

# The keyless ties that hold each claimed identity (`TieIdentity`): a symmetric kind's either
# way round. Found from the first end's relationships, not by scanning every tie.
TIE_IDENTITY_OWNERS: LiteralString = (
    "UNWIND $claims AS claim "
    "MATCH (first:Stakeholder {id: claim.first_id})-[t:" + _ANY_TIE + "]-(second) "
    "WHERE type(t) = claim.kind AND t.key IS NULL AND second.id = claim.second_id "
    "AND (claim.symmetric OR startNode(t) = first) "
    "RETURN DISTINCT claim.number AS claim, t.id AS id"
)

CLEAR_STAKEHOLDER_KEYS: LiteralString = (
    "UNWIND $ids AS id MATCH (s:Stakeholder {id: id}) REMOVE s.key"
)

CLEAR_TIE_KEYS: LiteralString = (
    "UNWIND $ids AS id MATCH ()-[t:" + _ANY_TIE + " {id: id}]->() REMOVE t.key"
)

CLEAR_INTERACTION_KEYS: LiteralString = (
    "UNWIND $ids AS id MATCH (i:Interaction {id: id}) REMOVE i.key"
)

STAKEHOLDERS_CREATED_AT: LiteralString = (
    "UNWIND $ids AS id MATCH (s:Stakeholder {id: id}) RETURN id, s.created_at AS created_at"
)

# Where each tie is (its type and ends), its key and when it was created.
STORED_TIES: LiteralString = (
    "UNWIND $ids AS id MATCH (source)-[t:" + _ANY_TIE + " {id: id}]->(target) "
    "RETURN id, type(t) AS kind, source.id AS source_id, target.id AS target_id, t.key AS key, "
    "t.created_at AS created_at"
)

INTERACTIONS_CREATED_AT: LiteralString = (
    "UNWIND $ids AS id MATCH (i:Interaction {id: id}) RETURN id, i.created_at AS created_at"
)

# `SET n = row.props` replaces every property: an upsert replaces the whole entity. A stakeholder
# takes its kind's label and loses the others', so a change of kind relabels it.
UPSERT_STAKEHOLDERS: Mapping[StakeholderKind, LiteralString] = {
    kind: "UNWIND $rows AS row MERGE (s:Stakeholder {id: row.id}) SET s = row.props, s:"
    + label
    + " REMOVE s:"
    + ":".join(other for other in STAKEHOLDER_LABELS.values() if other != label)
    for kind, label in STAKEHOLDER_LABELS.items()
}

# A tie is created as a relationship of its kind's type; one whose kind or ends change is
# deleted first (`DELETE_TIES`) and created again with its id, in the same transaction.
CREATE_TIES: Mapping[TieKind, LiteralString] = {
    kind: "UNWIND $rows AS row "
    "MATCH (source:Stakeholder {id: row.source_id}) "
    "MATCH (target:Stakeholder {id: row.target_id}) "
    "CREATE (source)-[t:" + tie_type + "]->(target) SET t = row.props"
    for kind, tie_type in TIE_TYPES.items()
}

# A first import's records (`first_import`): every one is new, so each is created outright,
# one statement per section, in a transaction of its own. Until the import publishes them, its
# stakeholders and interactions are `:StagedStakeholder` and `:StagedInteraction` nodes, which
# no read matches (and its ties join only those). Stakeholders come back with their nodes'
# element ids, by which ties and participation then find their ends.
#
# Each record is a row of values, not a map: a list of the properties named below, in their
# order (`first_import` builds it), created as an inline property map, where a null sets
# nothing, as a field left out of `SET n = map` does. Neither the driver nor the server then
# handles a property name per record, and the create sets every property at once.
STAGED_STAKEHOLDER_PROPERTIES: tuple[LiteralString, ...] = (
    "id", "kind", "name", "key", "internal", "tags", "notes", "title", "email", "phone",
    "seniority", "industry", "website", "registration_number", "country", "city", "code",
    "region", "population", "category", "name_folded", "created_at", "updated_at",
)  # fmt: skip
# A tie row starts with the element ids of its source's and target's nodes.
STAGED_TIE_PROPERTIES: tuple[LiteralString, ...] = (
    "id", "key", "strength", "role", "since", "until", "confidence", "evidence", "notes",
    "decision_role", "department", "context", "share", "created_at", "updated_at",
)  # fmt: skip
# An interaction row ends with its participants, each `[element id of the node, acting_as]`.
STAGED_INTERACTION_PROPERTIES: tuple[LiteralString, ...] = (
    "id", "kind", "occurred_at", "key", "sentiment", "subject", "summary", "outcome", "notes",
    "created_at", "updated_at",
)  # fmt: skip
_TIE_ENDS = 2
if (
    set(STAGED_STAKEHOLDER_PROPERTIES) != {f.name for f in fields(Stakeholder)} | {"name_folded"}
    or set(STAGED_TIE_PROPERTIES)
    != {f.name for f in fields(Tie)} - {"kind", "source_id", "target_id"}
    or set(STAGED_INTERACTION_PROPERTIES)
    != {f.name for f in fields(Interaction)} - {"participants"}
):
    raise RuntimeError("A first import's rows must name every stored field of their records.")


def _inline_properties(names: Sequence[LiteralString], first: int = 0) -> LiteralString:
    """`{name: row[i], ...}`: the properties `names` from the row's values from `first` on."""
    return (
        "{" + ", ".join(f"{name}: row[{first + index}]" for index, name in enumerate(names)) + "}"
    )


CREATE_STAGED_STAKEHOLDERS: LiteralString = (
    "UNWIND $rows AS row CREATE (s:StagedStakeholder "
    + _inline_properties(STAGED_STAKEHOLDER_PROPERTIES)
    + ") RETURN row[0] AS id, elementId(s) AS node"
)

# Each type's rows are the parameter named by the type (an empty list for a type the batch has
# none of); a unit subquery per type keeps the statement one round trip.
CREATE_TIES_OF_EVERY_KIND: LiteralString = " ".join(
    "CALL () { UNWIND $" + tie_type + " AS row "
    "MATCH (source) WHERE elementId(source) = row[0] "
    "MATCH (target) WHERE elementId(target) = row[1] "
    "CREATE (source)-[t:"
    + tie_type
    + " "
    + _inline_properties(STAGED_TIE_PROPERTIES, _TIE_ENDS)
    + "]->(target) }"
    for tie_type in TIE_TYPES.values()
)

CREATE_STAGED_INTERACTIONS: LiteralString = (
    "UNWIND $rows AS row CREATE (i:StagedInteraction "
    + _inline_properties(STAGED_INTERACTION_PROPERTIES)
    + f") WITH i, row[{len(STAGED_INTERACTION_PROPERTIES)}] AS participants "
    "UNWIND range(0, size(participants) - 1) AS position "
    "MATCH (s) WHERE elementId(s) = participants[position][0] "
    "CREATE (s)-[:PARTICIPATED {position: position, actingAs: participants[position][1]}]->(i)"
)

# Publishing a first import, in the transaction that commits it: its nodes take their labels.
PUBLISH_STAGED_STAKEHOLDERS: Mapping[StakeholderKind, LiteralString] = {
    kind: "MATCH (s:StagedStakeholder {kind: $kind}) SET s:Stakeholder:"
    + label
    + " REMOVE s:StagedStakeholder"
    for kind, label in STAKEHOLDER_LABELS.items()
}

PUBLISH_STAGED_INTERACTIONS: LiteralString = (
    "MATCH (i:StagedInteraction) SET i:Interaction REMOVE i:StagedInteraction"
)

# Removing what a first import that never committed staged, with its ties and participation,
# $batch nodes at a time; 0 once none is left.
REMOVE_STAGED: LiteralString = (
    "MATCH (n) WHERE n:StagedStakeholder OR n:StagedInteraction "
    "WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS removed"
)

# Taking the revision's write lock without changing anything.
LOCK_REVISION: LiteralString = "MATCH (m:GraphMeta {id: 'graph'}) SET m.revision = m.revision"

UPDATE_TIES: LiteralString = (
    "UNWIND $rows AS row MATCH ()-[t:" + _ANY_TIE + " {id: row.id}]->() SET t = row.props"
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

# Moving a network stored with a `kind` property only and ties as `:Tie` nodes between
# `TIE_FROM`/`TIE_TO` relationships to labels and typed relationships (`migration`), $batch
# entities a transaction; each returns how many it moved, 0 once none is left.
# The graph model a database is in, kept on the meta node once a migration finished, so opening
# a store does not look through every stakeholder for one to move again.
READ_GRAPH_MODEL: LiteralString = (
    "OPTIONAL MATCH (m:GraphMeta {id: 'graph'}) RETURN coalesce(m.graph_model, 1) AS model"
)

SET_GRAPH_MODEL: LiteralString = ENSURE_META + " SET m.graph_model = $model"

# The newest schema script applied in full (`graph_schema/`), so that opening a store at that
# version runs none of their statements again.
READ_SCHEMA_VERSION: LiteralString = (
    "OPTIONAL MATCH (m:GraphMeta {id: 'graph'}) RETURN coalesce(m.schema_version, 0) AS version"
)

SET_SCHEMA_VERSION: LiteralString = ENSURE_META + " SET m.schema_version = $version"

LABEL_STAKEHOLDERS: Mapping[StakeholderKind, LiteralString] = {
    kind: "MATCH (s:Stakeholder {kind: $kind}) WHERE NOT s:"
    + label
    + " WITH s LIMIT $batch SET s:"
    + label
    + " RETURN count(s) AS moved"
    for kind, label in STAKEHOLDER_LABELS.items()
}

TIE_NODES_TO_RELATIONSHIPS: Mapping[TieKind, LiteralString] = {
    kind: "MATCH (source:Stakeholder)<-[:TIE_FROM]-(n:Tie {kind: $kind})-[:TIE_TO]->"
    "(target:Stakeholder) WITH n, source, target LIMIT $batch "
    "CREATE (source)-[t:" + tie_type + "]->(target) SET t = properties(n) "
    "DETACH DELETE n RETURN count(*) AS moved"
    for kind, tie_type in TIE_TYPES.items()
}


def statements_per_kind() -> list[LiteralString]:
    """Every statement of the per-kind mappings above."""
    return [
        *UPSERT_STAKEHOLDERS.values(),
        *CREATE_TIES.values(),
        *PUBLISH_STAGED_STAKEHOLDERS.values(),
        *LABEL_STAKEHOLDERS.values(),
        *TIE_NODES_TO_RELATIONSHIPS.values(),
    ]


# -- alerts: `(:Alert)` nodes, outside the graph model; their seq is numbered under the
# GraphMeta write lock, which also keeps two writers from storing one cause twice.

RESERVE_ALERT_SEQS: LiteralString = (
    "MATCH (m:GraphMeta {id: 'graph'}) "
    "SET m.last_alert_seq = coalesce(m.last_alert_seq, 0) + $count "
    "RETURN m.last_alert_seq AS last"
)

CLEAR_ALERTS: LiteralString = (
    "UNWIND $fingerprints AS cause MATCH (a:Alert {fingerprint: cause}) "
    "WHERE a.cleared_at IS NULL SET a.cleared_at = $at"
)

OPEN_ALERT_CAUSES: LiteralString = (
    "UNWIND $fingerprints AS cause MATCH (a:Alert {fingerprint: cause}) "
    "WHERE a.cleared_at IS NULL RETURN DISTINCT cause"
)

INSERT_ALERTS: LiteralString = "UNWIND $rows AS row CREATE (a:Alert) SET a = row"

OPEN_ALERTS: LiteralString = (
    "MATCH (a:Alert) WHERE a.cleared_at IS NULL RETURN a {.*} AS props ORDER BY a.seq"
)

ALERT_PAGE: LiteralString = (
    "MATCH (a:Alert) WHERE a.seq > $after "
    "AND ($organization_id IS NULL OR a.organization_id = $organization_id) "
    "AND ($kinds IS NULL OR a.kind IN $kinds) "
    "RETURN a {.*} AS props ORDER BY a.seq LIMIT $limit"
)

ALERT_COUNT: LiteralString = (
    "MATCH (a:Alert) WHERE ($organization_id IS NULL OR a.organization_id = $organization_id) "
    "AND ($kinds IS NULL OR a.kind IN $kinds) RETURN count(a) AS total"
)

LAST_ALERT_SEQ: LiteralString = "MATCH (a:Alert) RETURN coalesce(max(a.seq), 0) AS seq"

DELETE_ALERTS_NAMING: LiteralString = (
    "MATCH (a:Alert) WHERE a.organization_id = $id OR $id IN a.stakeholder_ids DETACH DELETE a"
)
