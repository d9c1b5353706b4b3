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
engine), dates as ISO strings. Every statement is a `LiteralString` constant of `cypher`; labels
and relationship types are fixed in the text, values are always parameters. The schema
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
