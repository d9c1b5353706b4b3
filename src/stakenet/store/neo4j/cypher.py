"""Every Cypher statement of the Neo4j store, each a module-level `LiteralString` constant.

Labels and relationship types are fixed in the text; values are always `$parameters`. Public
upper-case names are whole statements (a test runs each through Neo4j's parser); names with a
leading underscore are fragments they are built from.
"""

from __future__ import annotations

from typing import LiteralString

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
