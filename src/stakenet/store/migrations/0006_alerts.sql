-- Alerts: derived from the analytics, stored so that a client that was offline catches up.
-- Writing them moves neither the graph revision nor the change log.

CREATE TABLE alerts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    revision INTEGER NOT NULL,  -- the graph revision of the snapshot that raised it
    organization_id TEXT NOT NULL,
    stakeholder_ids TEXT NOT NULL DEFAULT '[]',  -- JSON array
    explanation TEXT NOT NULL,
    fingerprint TEXT NOT NULL,  -- the cause: kind, organisation, stakeholders, condition
    cleared_at TEXT  -- when the cause was found gone; NULL while it holds
);
-- One open alert per cause: a cause is raised again only after it cleared.
CREATE UNIQUE INDEX alerts_open_cause ON alerts (fingerprint) WHERE cleared_at IS NULL;
CREATE INDEX alerts_organization ON alerts (organization_id, seq);
