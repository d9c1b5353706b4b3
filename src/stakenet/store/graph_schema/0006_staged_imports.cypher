// The records of a first import that has not committed yet (store/neo4j/first_import.py):
// `:StagedStakeholder` and `:StagedInteraction` nodes, which no read matches. Publishing gives
// the stakeholders their kind's label, found by this index; the interactions' index names the
// label, so that looking for leftovers never asks about a label the database does not know.
CREATE INDEX staged_stakeholder_kind IF NOT EXISTS FOR (s:StagedStakeholder) ON (s.kind);
CREATE INDEX staged_interaction_id IF NOT EXISTS FOR (i:StagedInteraction) ON (i.id);
