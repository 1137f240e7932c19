-- Scale and cost (issue 14, docs/scale.md): D1 bills every row written, index entries and
-- sqlite_sequence included. Storing an accepted batch wrote 9 billed rows; after this migration 6:
--   * decisions.id loses AUTOINCREMENT: every insert also rewrote the table's sqlite_sequence row.
--     A plain INTEGER PRIMARY KEY is still the rowid, ascending while the table is not empty
--     (retention deletes the oldest rows, never the newest); only an emptied table restarts at 1.
--   * decisions_accepted_batch (unique on an accepted batch_id) goes: the consumer now inserts an
--     accept decision only while its batch row does not exist yet, in the same transaction that
--     inserts the batch row (worker/sync/write-rows.ts), as it already did for the rollup fold,
--     so a replayed store still adds nothing. No query read the index.
--   * batches becomes WITHOUT ROWID on batch_id: one b-tree per row instead of a rowid table plus
--     the automatic index of its TEXT primary key. (agent_id, seq) stays.
-- Both tables are rebuilt (copy, drop, rename); the rows, ids included, are kept.

CREATE TABLE decisions_v8 (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,           -- ms epoch
  kind         TEXT NOT NULL,              -- 'enroll' | 'activate' | 'batch' | 'nonce'
  agent_id     TEXT,
  batch_id     TEXT,
  verdict      TEXT NOT NULL CHECK (verdict IN ('accept', 'reject', 'accept-audit')),
  code         TEXT,                       -- ERR_* for rejections and audit-mode would-be rejections
  zone         TEXT,
  cf_country   TEXT,
  verify_ms    REAL,
  detail       TEXT                        -- JSON, non-secret
);
INSERT INTO decisions_v8 (id, at, kind, agent_id, batch_id, verdict, code, zone, cf_country, verify_ms, detail)
  SELECT id, at, kind, agent_id, batch_id, verdict, code, zone, cf_country, verify_ms, detail FROM decisions;
DROP TABLE decisions;
ALTER TABLE decisions_v8 RENAME TO decisions;
CREATE INDEX decisions_agent_at ON decisions(agent_id, at);
CREATE INDEX decisions_at ON decisions(at);

CREATE TABLE batches_v8 (
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
  evidence_key   TEXT NOT NULL,             -- R2 key of the evidence pack (or, before 0005, bundle)
  bundle_sha256  TEXT NOT NULL,
  log_index      INTEGER,                   -- leaf index in the transparency log
  bundle_offset  INTEGER,                   -- NULL: the object is the bundle alone (before 0005)
  bundle_length  INTEGER,
  jurisdiction   TEXT                       -- the bucket's jurisdiction (0006); NULL: EVIDENCE
) WITHOUT ROWID;
INSERT INTO batches_v8 (batch_id, agent_id, seq, accepted_at, collected_at, stored_at, verdict,
    findings, zone, cf_country, lat, lon, accuracy_m, metric_count, evidence_key, bundle_sha256,
    log_index, bundle_offset, bundle_length, jurisdiction)
  SELECT batch_id, agent_id, seq, accepted_at, collected_at, stored_at, verdict,
    findings, zone, cf_country, lat, lon, accuracy_m, metric_count, evidence_key, bundle_sha256,
    log_index, bundle_offset, bundle_length, jurisdiction FROM batches;
DROP TABLE batches;
ALTER TABLE batches_v8 RENAME TO batches;
CREATE INDEX batches_agent_seq ON batches(agent_id, seq);
