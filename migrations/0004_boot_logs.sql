-- Measured boot (docs/measured-boot.md): per agent, the last UEFI event log the collector accepted
-- (keyed by the boot PCR values it replays to, so batches whose quoted boot PCRs are unchanged need
-- no log) and the last one it refused, for the console's "what changed" view.

CREATE TABLE boot_logs (
  agent_id    TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('accepted', 'refused')),
  pcr_key     TEXT NOT NULL,              -- hex SHA-256 over the governed quoted PCR values
  log         BLOB NOT NULL,              -- the binary_bios_measurements bytes as sent
  events      INTEGER NOT NULL,
  findings    TEXT NOT NULL DEFAULT '[]', -- JSON [{rule, message, event?, pcr?}]
  code        TEXT,                       -- refusal code (kind = 'refused')
  policy_version INTEGER NOT NULL DEFAULT 0, -- the policy version that judged it
  decided_at  INTEGER NOT NULL,           -- ms epoch
  PRIMARY KEY (agent_id, kind)
);
