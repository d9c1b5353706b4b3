"""The Neo4j store: the production `Store`, over Bolt with the official async driver.

The graph model (docs/neo4j.md draws it):

- `(:Stakeholder:Person {id, kind, key, name, name_folded, …})`, and `:Company`,
  `:Municipality`, `:Organization`: every stakeholder has `:Stakeholder` and its kind's label
  (`cypher.STAKEHOLDER_LABELS`); an upsert that changes the kind relabels the node.
- `(source)-[:WORKS_FOR {id, key, strength, …}]->(target)`: a tie is a relationship typed by
  its kind (`cypher.TIE_TYPES`); its kind and ends are read from its type and nodes, not stored
  as properties. A relationship cannot change type or
  ends, so an upsert that changes either deletes it and creates it again, with its id, in the
  same transaction. Uniqueness constraints on `id` and `key` per type make a lookup by either one
  index seek per type; that an id or key is used once across all types, and a keyless tie once
  per kind and ends, the store checks in the write transaction, under the revision's lock.
- `(:Stakeholder)-[:PARTICIPATED {position, actingAs}]->(:Interaction {id, kind, …})`.
- `(:GraphMeta {id: 'graph', revision, last_seq, graph_model, schema_version})`: the revision
  counter. Each
  batch first increments it, which write-locks the node, so batches are serialised and the
  revision and the change log's `seq` are derived inside the transaction.
- `(:Change {revision, seq, entity_type, op, entity_id, payload})`, written in the batch's own
  transaction; `payload` is the entity as JSON (`store.codec`).

Datetimes are stored as fixed-width UTC ISO strings (so string order is time order on every
engine), dates as ISO strings. Every statement is a `LiteralString` of `cypher`, a constant or one
per kind built from its allow-lists of labels and types; values are always parameters. The schema
(`graph_schema/*.cypher`) is applied by `open()` before any data is written. Driver and server
exceptions are translated into domain errors in one place, `translate_error`, and no message
built here carries Cypher text or the password.

- `store`: `Neo4jStore`, its driver, sessions and managed transactions
- `settings`: the database URL split into driver settings
- `errors`: driver and server exceptions to domain errors
- `schema`: the bundled Cypher schema scripts
- `cypher`: every statement the store runs
- `queries`: running statements inside a transaction
- `records`: entities to node properties and back
- `reads`: the read queries, as transaction functions
- `writes`: applying a `WriteBatch`, and erasure
- `bulk`: bulk writes, several batches in one transaction at one revision
- `changes`: the change log (`:Change` nodes)
- `access`: API tokens and the audit trail
- `migration`: moving a network stored in an earlier graph model to this one
"""

from stakenet.store.neo4j.errors import EXC_MAP, translate_error
from stakenet.store.neo4j.schema import SchemaScript, bundled_schema, cypher_statements
from stakenet.store.neo4j.settings import Neo4jSettings, neo4j_settings
from stakenet.store.neo4j.store import Neo4jStore

__all__ = [
    "EXC_MAP",
    "Neo4jSettings",
    "Neo4jStore",
    "SchemaScript",
    "bundled_schema",
    "cypher_statements",
    "neo4j_settings",
    "translate_error",
]
