// Indexes for listing and searching stakeholders, for interactions by time and for reading the
// change log. Idempotent: applied at every start, before any data is written.
// Change.seq is unique by construction (taken from GraphMeta.last_seq under the batch's write
// lock on GraphMeta), so an index suffices.
CREATE INDEX stakeholder_name_folded IF NOT EXISTS FOR (s:Stakeholder) ON (s.name_folded);
CREATE INDEX stakeholder_kind IF NOT EXISTS FOR (s:Stakeholder) ON (s.kind);
CREATE INDEX stakeholder_updated_at IF NOT EXISTS FOR (s:Stakeholder) ON (s.updated_at);
CREATE INDEX interaction_occurred_at IF NOT EXISTS FOR (i:Interaction) ON (i.occurred_at);
CREATE INDEX change_revision IF NOT EXISTS FOR (c:Change) ON (c.revision);
CREATE INDEX change_seq IF NOT EXISTS FOR (c:Change) ON (c.seq);
