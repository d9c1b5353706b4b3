// Ties are relationships typed by their kind. A uniqueness constraint covers one relationship
// type, so each type has one on the tie's id and one on its key: it makes a lookup by id or key
// one index seek per type, and the store checks in the write transaction that an id or key is
// used once across all types. The constraints of a database that stored ties as `:Tie` nodes
// are dropped (opening the store moves such nodes to relationships). Idempotent.
DROP CONSTRAINT tie_id IF EXISTS;
DROP CONSTRAINT tie_key IF EXISTS;
CREATE CONSTRAINT tie_works_for_id IF NOT EXISTS FOR ()-[t:WORKS_FOR]-() REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT tie_works_for_key IF NOT EXISTS FOR ()-[t:WORKS_FOR]-() REQUIRE t.key IS UNIQUE;
CREATE CONSTRAINT tie_board_member_of_id IF NOT EXISTS FOR ()-[t:BOARD_MEMBER_OF]-() REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT tie_board_member_of_key IF NOT EXISTS FOR ()-[t:BOARD_MEMBER_OF]-() REQUIRE t.key IS UNIQUE;
CREATE CONSTRAINT tie_reports_to_id IF NOT EXISTS FOR ()-[t:REPORTS_TO]-() REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT tie_reports_to_key IF NOT EXISTS FOR ()-[t:REPORTS_TO]-() REQUIRE t.key IS UNIQUE;
CREATE CONSTRAINT tie_knows_id IF NOT EXISTS FOR ()-[t:KNOWS]-() REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT tie_knows_key IF NOT EXISTS FOR ()-[t:KNOWS]-() REQUIRE t.key IS UNIQUE;
CREATE CONSTRAINT tie_family_id IF NOT EXISTS FOR ()-[t:FAMILY]-() REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT tie_family_key IF NOT EXISTS FOR ()-[t:FAMILY]-() REQUIRE t.key IS UNIQUE;
CREATE CONSTRAINT tie_advises_id IF NOT EXISTS FOR ()-[t:ADVISES]-() REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT tie_advises_key IF NOT EXISTS FOR ()-[t:ADVISES]-() REQUIRE t.key IS UNIQUE;
CREATE CONSTRAINT tie_represents_id IF NOT EXISTS FOR ()-[t:REPRESENTS]-() REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT tie_represents_key IF NOT EXISTS FOR ()-[t:REPRESENTS]-() REQUIRE t.key IS UNIQUE;
CREATE CONSTRAINT tie_influences_id IF NOT EXISTS FOR ()-[t:INFLUENCES]-() REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT tie_influences_key IF NOT EXISTS FOR ()-[t:INFLUENCES]-() REQUIRE t.key IS UNIQUE;
CREATE CONSTRAINT tie_owns_id IF NOT EXISTS FOR ()-[t:OWNS]-() REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT tie_owns_key IF NOT EXISTS FOR ()-[t:OWNS]-() REQUIRE t.key IS UNIQUE;
CREATE CONSTRAINT tie_partner_of_id IF NOT EXISTS FOR ()-[t:PARTNER_OF]-() REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT tie_partner_of_key IF NOT EXISTS FOR ()-[t:PARTNER_OF]-() REQUIRE t.key IS UNIQUE;
CREATE CONSTRAINT tie_supplies_id IF NOT EXISTS FOR ()-[t:SUPPLIES]-() REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT tie_supplies_key IF NOT EXISTS FOR ()-[t:SUPPLIES]-() REQUIRE t.key IS UNIQUE;
CREATE CONSTRAINT tie_client_of_id IF NOT EXISTS FOR ()-[t:CLIENT_OF]-() REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT tie_client_of_key IF NOT EXISTS FOR ()-[t:CLIENT_OF]-() REQUIRE t.key IS UNIQUE;
CREATE CONSTRAINT tie_member_of_id IF NOT EXISTS FOR ()-[t:MEMBER_OF]-() REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT tie_member_of_key IF NOT EXISTS FOR ()-[t:MEMBER_OF]-() REQUIRE t.key IS UNIQUE;
CREATE CONSTRAINT tie_located_in_id IF NOT EXISTS FOR ()-[t:LOCATED_IN]-() REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT tie_located_in_key IF NOT EXISTS FOR ()-[t:LOCATED_IN]-() REQUIRE t.key IS UNIQUE;
CREATE CONSTRAINT tie_relationship_owner_id IF NOT EXISTS FOR ()-[t:RELATIONSHIP_OWNER]-() REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT tie_relationship_owner_key IF NOT EXISTS FOR ()-[t:RELATIONSHIP_OWNER]-() REQUIRE t.key IS UNIQUE;
