// Uniqueness constraints: one per id and per source-system key of stakeholders and interactions
// (ties: 0004), and on the revision counter. Every MERGE key has one, so two writers can never
// create the same node twice. Idempotent: applied at every start.
CREATE CONSTRAINT graph_meta_id IF NOT EXISTS FOR (m:GraphMeta) REQUIRE m.id IS UNIQUE;
CREATE CONSTRAINT stakeholder_id IF NOT EXISTS FOR (s:Stakeholder) REQUIRE s.id IS UNIQUE;
CREATE CONSTRAINT stakeholder_key IF NOT EXISTS FOR (s:Stakeholder) REQUIRE s.key IS UNIQUE;
CREATE CONSTRAINT interaction_id IF NOT EXISTS FOR (i:Interaction) REQUIRE i.id IS UNIQUE;
CREATE CONSTRAINT interaction_key IF NOT EXISTS FOR (i:Interaction) REQUIRE i.key IS UNIQUE;
