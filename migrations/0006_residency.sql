-- Data sovereignty (issue 17, docs/sovereignty.md). Zones carry a jurisdiction; an agent's follows
-- from its zones and is kept in a directory that holds nothing but agentId -> jurisdiction, so the
-- worker finds the agent's ledger (a jurisdiction-restricted Durable Object) and its evidence
-- bucket without reading personal data centrally.

-- 'eu' | 'us' | 'fedramp'; NULL: no restriction.
ALTER TABLE zones ADD COLUMN jurisdiction TEXT;

-- Only agents in a jurisdiction have a row; no row: unrestricted (AGENT_LEDGER, EVIDENCE).
CREATE TABLE agent_residency (
  agent_id     TEXT PRIMARY KEY,
  jurisdiction TEXT NOT NULL CHECK (jurisdiction IN ('eu', 'us', 'fedramp')),
  since        INTEGER NOT NULL            -- ms epoch of the enrollment or move that set it
) WITHOUT ROWID;

-- The jurisdiction whose bucket holds the batch's evidence pack; NULL: EVIDENCE. lat/lon of a
-- restricted agent's batch are a grid cell's centre (RESIDENCY_GRID_DEG), never the exact fix.
ALTER TABLE batches ADD COLUMN jurisdiction TEXT;
