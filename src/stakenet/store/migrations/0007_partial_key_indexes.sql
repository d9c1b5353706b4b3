-- A key is unique where it is set: a partial unique index on `key` WHERE key IS NOT NULL, in
-- place of the column's UNIQUE. The column's index held an entry for every row, keyless ones
-- included (most ties and interactions), so each insert wrote one index entry more than needed.
--
-- SQLite changes a column's constraints only by rebuilding the table: each table is copied into
-- a new one, the old one dropped, the new one renamed, and its indexes made again. The
-- migration runs with foreign keys off (`schema.migrate`), so dropping a table others refer to
-- deletes nothing of theirs, and the references are checked before it commits.

CREATE TABLE stakeholders_rebuilt (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT,  -- unique across every kind where set (stakeholders_key)
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,  -- domain.text.fold(name), for accent-insensitive search
    internal INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1)),
    tags TEXT NOT NULL DEFAULT '[]',  -- JSON array, in the order given
    notes TEXT,
    attributes TEXT NOT NULL DEFAULT '{}',  -- JSON object of the kind-specific fields
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO stakeholders_rebuilt (
    id, kind, key, name, name_folded, internal, tags, notes, attributes, created_at, updated_at
)
SELECT id, kind, key, name, name_folded, internal, tags, notes, attributes, created_at, updated_at
FROM stakeholders;
DROP TABLE stakeholders;
ALTER TABLE stakeholders_rebuilt RENAME TO stakeholders;
CREATE UNIQUE INDEX stakeholders_key ON stakeholders (key) WHERE key IS NOT NULL;
CREATE INDEX stakeholders_by_name ON stakeholders (name_folded, id);
CREATE INDEX stakeholders_by_kind ON stakeholders (kind, name_folded, id);
CREATE INDEX stakeholders_by_updated_at ON stakeholders (updated_at DESC, id);

CREATE TABLE ties_rebuilt (
    id TEXT PRIMARY KEY,
    key TEXT,  -- unique where set (ties_key)
    kind TEXT NOT NULL,
    -- The store deletes a stakeholder's ties itself, first, to log each deletion; the cascade
    -- only guards against a delete that bypasses the store.
    source_id TEXT NOT NULL REFERENCES stakeholders (id) ON DELETE CASCADE,
    target_id TEXT NOT NULL REFERENCES stakeholders (id) ON DELETE CASCADE,
    strength REAL,
    role TEXT,
    since TEXT,
    until TEXT,
    confidence REAL,
    evidence TEXT,
    notes TEXT,
    decision_role TEXT,
    department TEXT,
    context TEXT,
    share REAL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO ties_rebuilt (
    id, key, kind, source_id, target_id, strength, role, since, until, confidence, evidence,
    notes, decision_role, department, context, share, created_at, updated_at
)
SELECT
    id, key, kind, source_id, target_id, strength, role, since, until, confidence, evidence,
    notes, decision_role, department, context, share, created_at, updated_at
FROM ties;
DROP TABLE ties;
ALTER TABLE ties_rebuilt RENAME TO ties;
CREATE UNIQUE INDEX ties_key ON ties (key) WHERE key IS NOT NULL;
CREATE INDEX ties_by_source ON ties (source_id, kind);
CREATE INDEX ties_by_target ON ties (target_id, kind);
-- As in 0005_tie_identity.sql: a keyless tie is identified by its kind and its ends, either
-- way round for the symmetric kinds (KNOWS, FAMILY, PARTNER_OF).
CREATE UNIQUE INDEX ties_identity ON ties (
    kind,
    (CASE WHEN kind IN ('KNOWS', 'FAMILY', 'PARTNER_OF')
        THEN min(source_id, target_id) ELSE source_id END),
    (CASE WHEN kind IN ('KNOWS', 'FAMILY', 'PARTNER_OF')
        THEN max(source_id, target_id) ELSE target_id END)
) WHERE key IS NULL;

CREATE TABLE interactions_rebuilt (
    id TEXT PRIMARY KEY,
    key TEXT,  -- unique where set (interactions_key)
    kind TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    sentiment REAL,
    subject TEXT,
    summary TEXT,
    outcome TEXT,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO interactions_rebuilt (
    id, key, kind, occurred_at, sentiment, subject, summary, outcome, notes, created_at,
    updated_at
)
SELECT
    id, key, kind, occurred_at, sentiment, subject, summary, outcome, notes, created_at,
    updated_at
FROM interactions;
DROP TABLE interactions;
ALTER TABLE interactions_rebuilt RENAME TO interactions;
CREATE UNIQUE INDEX interactions_key ON interactions (key) WHERE key IS NOT NULL;
CREATE INDEX interactions_by_occurred_at ON interactions (occurred_at);
