-- Scale and cost (issue 14, docs/scale.md "Reads that do not grow with the history"): D1 bills
-- every row read, and /metrics and the fleet views read rows in proportion to everything ever
-- stored: COUNT(*) over batches and decisions, in total and per agent, a scan of batches by
-- stored_at for the sync lag, and an agent's latest rejection found by walking back over its
-- accept decisions. After this migration each reads a handful of rows, whatever the history.

-- All-time totals, kept as batches are stored (worker/sync/write-rows.ts, in the transaction that
-- inserts them, counting only batches not stored before) and as decisions are recorded
-- (worker/audit/record-decision.ts). Retention never makes a counter go down.
CREATE TABLE totals (
  name TEXT PRIMARY KEY,                  -- 'batches_stored' | 'points_stored'
  n    INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO totals (name, n) SELECT 'batches_stored', COUNT(*) FROM batches;
INSERT INTO totals (name, n) SELECT 'points_stored', COALESCE(SUM(metric_count), 0) FROM batches;

CREATE TABLE decision_totals (
  kind    TEXT NOT NULL,
  verdict TEXT NOT NULL,
  code    TEXT NOT NULL,                  -- '' for none
  n       INTEGER NOT NULL,
  PRIMARY KEY (kind, verdict, code)
) WITHOUT ROWID;
INSERT INTO decision_totals (kind, verdict, code, n)
  SELECT kind, verdict, COALESCE(code, ''), COUNT(*) FROM decisions
   GROUP BY kind, verdict, COALESCE(code, '');

CREATE TABLE agent_totals (
  agent_id TEXT PRIMARY KEY,
  batches  INTEGER NOT NULL               -- stored batches of this agent, all time
) WITHOUT ROWID;
INSERT INTO agent_totals (agent_id, batches)
  SELECT agent_id, COUNT(*) FROM batches GROUP BY agent_id;

-- One row per stored pack (only when it stored new batches): the sync lag of the last minutes
-- reads those rows, not the batches. The retention cron deletes rows older than a day.
CREATE TABLE sync_packs (
  stored_at INTEGER NOT NULL,             -- ms epoch
  pack      TEXT NOT NULL,                -- R2 key of the pack
  batches   INTEGER NOT NULL,             -- batches it stored for the first time
  lag_sum   INTEGER NOT NULL,             -- sum over them of stored_at - accepted_at, ms
  lag_max   INTEGER NOT NULL,
  PRIMARY KEY (stored_at, pack)
) WITHOUT ROWID;

-- Metric names and the last minute each was seen (the chart picker's list), kept with the
-- rollups: listing them read every rollup row of the last 30 days.
CREATE TABLE metric_names (
  name        TEXT PRIMARY KEY,
  last_minute INTEGER NOT NULL            -- minutes since the epoch
) WITHOUT ROWID;
INSERT INTO metric_names (name, last_minute)
  SELECT j.key, MAX(r.minute) FROM rollups r, json_each(r.metrics) j GROUP BY j.key;

-- Rejections only: an accept decision writes no entry in either.
CREATE INDEX decisions_agent_reject ON decisions(agent_id, at) WHERE verdict = 'reject';
CREATE INDEX decisions_reject_at ON decisions(at) WHERE verdict = 'reject';
