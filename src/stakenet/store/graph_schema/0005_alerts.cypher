// Alerts: derived from the analytics, stored so that a client that was offline catches up.
// Idempotent: applied at every start. One open alert per cause is checked by the store under
// the GraphMeta write lock: a uniqueness constraint cannot leave cleared alerts out.
CREATE CONSTRAINT alert_id IF NOT EXISTS FOR (a:Alert) REQUIRE a.id IS UNIQUE;
CREATE INDEX alert_seq IF NOT EXISTS FOR (a:Alert) ON (a.seq);
CREATE INDEX alert_fingerprint IF NOT EXISTS FOR (a:Alert) ON (a.fingerprint);
CREATE INDEX alert_organization IF NOT EXISTS FOR (a:Alert) ON (a.organization_id);
