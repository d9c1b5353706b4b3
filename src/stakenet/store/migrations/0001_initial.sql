-- The initial schema: stakeholders, ties, interactions, the graph revision and the change log.
-- Datetimes are UTC ISO strings of fixed width (microseconds, +00:00), so text order is time order.

CREATE TABLE meta (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO meta (name, value) VALUES ('revision', 0);

CREATE TABLE stakeholders (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT UNIQUE,  -- unique across every kind; NULL for any number of rows
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,  -- domain.text.fold(name), for accent-insensitive search
    internal INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1)),
    tags TEXT NOT NULL DEFAULT '[]',  -- JSON array, in the order given
    notes TEXT,
    attributes TEXT NOT NULL DEFAULT '{}',  -- JSON object of the kind-specific fields
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX stakeholders_by_name ON stakeholders (name_folded, id);
CREATE INDEX stakeholders_by_kind ON stakeholders (kind, name_folded, id);
CREATE INDEX stakeholders_by_updated_at ON stakeholders (updated_at DESC, id);

-- One row per tag of a stakeholder, so tag filters use an index instead of parsing JSON.
CREATE TABLE stakeholder_tags (
    stakeholder_id TEXT NOT NULL REFERENCES stakeholders (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (stakeholder_id, tag)
) WITHOUT ROWID;
CREATE INDEX stakeholder_tags_by_tag ON stakeholder_tags (tag, stakeholder_id);

CREATE TABLE ties (
    id TEXT PRIMARY KEY,
    key TEXT UNIQUE,
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
CREATE INDEX ties_by_source ON ties (source_id, kind);
CREATE INDEX ties_by_target ON ties (target_id, kind);

CREATE TABLE interactions (
    id TEXT PRIMARY KEY,
    key TEXT UNIQUE,
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
CREATE INDEX interactions_by_occurred_at ON interactions (occurred_at);

CREATE TABLE interaction_participants (
    interaction_id TEXT NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
    stakeholder_id TEXT NOT NULL REFERENCES stakeholders (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,  -- keeps the participants in the order they were given
    acting_as TEXT,
    PRIMARY KEY (interaction_id, stakeholder_id)
) WITHOUT ROWID;
CREATE INDEX interaction_participants_by_stakeholder
    ON interaction_participants (stakeholder_id, interaction_id);

CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    revision INTEGER NOT NULL,
    entity_type TEXT NOT NULL,
    op TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    payload TEXT  -- the entity as stored, encoded by store.codec; NULL for a delete
);
CREATE INDEX changes_by_revision ON changes (revision);
