-- Accepted batches, their metric points and per-minute rollups (DESIGN.md "Async sync and
-- provenance"). Writes are idempotent by batch_id: a redelivered queue message changes nothing.

CREATE TABLE batches (
  batch_id       TEXT PRIMARY KEY,          -- hex SHA-256 of the payload bytes
  agent_id       TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  accepted_at    INTEGER NOT NULL,          -- ms epoch, collector time
  collected_at   INTEGER NOT NULL,          -- ms epoch, agent time
  stored_at      INTEGER NOT NULL,
  verdict        TEXT NOT NULL,
  findings       TEXT NOT NULL DEFAULT '[]',
  zone           TEXT,
  cf_country     TEXT,
  lat            REAL NOT NULL,
  lon            REAL NOT NULL,
  accuracy_m     REAL NOT NULL,
  metric_count   INTEGER NOT NULL,
  evidence_key   TEXT NOT NULL,             -- R2 key of the evidence bundle
  bundle_sha256  TEXT NOT NULL,
  log_index      INTEGER                    -- leaf index in the transparency log
);
CREATE INDEX batches_agent_seq ON batches(agent_id, seq);
CREATE INDEX batches_accepted ON batches(accepted_at);

CREATE TABLE metric_points (
  batch_id  TEXT NOT NULL,
  idx       INTEGER NOT NULL,
  agent_id  TEXT NOT NULL,
  zone      TEXT NOT NULL,                  -- '' when the batch had no zone (audit mode)
  metric    TEXT NOT NULL,
  value     REAL NOT NULL,
  unit      TEXT,
  at        INTEGER NOT NULL,               -- ms epoch (collected_at)
  minute    INTEGER NOT NULL,               -- floor(at / 60000)
  PRIMARY KEY (batch_id, idx)
);
CREATE INDEX metric_points_bucket ON metric_points(minute, agent_id, zone, metric);
CREATE INDEX metric_points_at ON metric_points(at);

-- Derived from metric_points per (minute, metric, zone, agent); recomputed, never incremented,
-- so concurrent or repeated deliveries converge to the same rows.
CREATE TABLE rollups (
  minute    INTEGER NOT NULL,
  metric    TEXT NOT NULL,
  zone      TEXT NOT NULL,
  agent_id  TEXT NOT NULL,
  count     INTEGER NOT NULL,
  sum       REAL NOT NULL,
  min       REAL NOT NULL,
  max       REAL NOT NULL,
  PRIMARY KEY (minute, metric, zone, agent_id)
);
CREATE INDEX rollups_metric_minute ON rollups(metric, minute);

-- Poison messages, with why they could not be stored.
CREATE TABLE dead_letters (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  at         INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  reason     TEXT NOT NULL,
  body       TEXT NOT NULL
);

-- One 'accept' decision per batch even if the consumer runs twice.
CREATE UNIQUE INDEX decisions_accepted_batch ON decisions(batch_id) WHERE verdict != 'reject';
