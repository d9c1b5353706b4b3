// Access: API tokens (digests only) and the audit trail. Idempotent: applied at every start.
// One active token per name is checked by the store under the GraphMeta write lock: a
// uniqueness constraint cannot leave revoked tokens out.
CREATE CONSTRAINT api_token_id IF NOT EXISTS FOR (t:ApiToken) REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT api_token_hash IF NOT EXISTS FOR (t:ApiToken) REQUIRE t.token_hash IS UNIQUE;
CREATE INDEX api_token_name IF NOT EXISTS FOR (t:ApiToken) ON (t.name);
// AuditEntry.seq, like Change.seq, is numbered under the GraphMeta write lock.
CREATE INDEX audit_entry_seq IF NOT EXISTS FOR (a:AuditEntry) ON (a.seq);
// Erasing a stakeholder removes its entries from the change log.
CREATE INDEX change_entity_id IF NOT EXISTS FOR (c:Change) ON (c.entity_id);
