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

-- Zones an operator assigned to an agent before it enrolled (by its agentId, the SHA-256 of its
-- EK public key): its agent_residency row is set at once, so its ledger is created in its
-- jurisdiction at activation, which then applies these zones and deletes the row.
CREATE TABLE pending_zones (
  agent_id  TEXT PRIMARY KEY,
  zones     TEXT NOT NULL,                -- JSON array of zone ids
  set_at    INTEGER NOT NULL
) WITHOUT ROWID;
