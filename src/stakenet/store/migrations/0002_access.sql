-- Access: API tokens (digests only) and the audit trail of every mutation.

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    token_hash TEXT NOT NULL UNIQUE,  -- SHA-256 of the secret; the secret is never stored
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
-- One active token per name; revoked ones keep their name for the record.
CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL;

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,  -- the token's name, never the token
    operation TEXT NOT NULL,
    revision INTEGER,  -- the graph revision the audited write produced, if any
    entity_ids TEXT NOT NULL DEFAULT '[]',  -- JSON array
    fields TEXT NOT NULL DEFAULT '[]',  -- JSON array of changed field names, never values
    detail TEXT NOT NULL DEFAULT '{}'  -- JSON object of counts
);
