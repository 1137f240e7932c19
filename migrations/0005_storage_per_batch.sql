-- Cheaper storage per batch (issue 14, docs/scale.md). D1 keeps what dashboards and auditors query
-- (batch index, decisions, rollups), not the raw metric points: the evidence bundles in R2 hold
-- them. Several bundles now share one R2 object (a pack, one per stored queue batch), so a batch
-- row says where in the object its bundle lies.

-- NULL offset: the object is the bundle alone (rows stored before this migration).
ALTER TABLE batches ADD COLUMN bundle_offset INTEGER;
ALTER TABLE batches ADD COLUMN bundle_length INTEGER;

-- One rollup row per (minute, zone, agent) holding every metric of that bucket as
-- {"metric": [count, sum, min, max, unit], ...} (unit as reported, worker/sync/write-rows.ts):
-- one row write per stored batch instead of one per
-- metric. Folded incrementally by the consumer in the same D1 transaction that inserts the batch
-- row, and only when that insert happens (worker/sync/store-batches.ts), so replays fold nothing.
-- WITHOUT ROWID: the primary key is the table, no second b-tree to write.
CREATE TABLE rollups_v5 (
  minute    INTEGER NOT NULL,
  zone      TEXT NOT NULL,                  -- '' when the batch had no zone (audit mode)
  agent_id  TEXT NOT NULL,
  metrics   TEXT NOT NULL,                  -- JSON object: metric -> [count, sum, min, max]
  PRIMARY KEY (minute, zone, agent_id)
) WITHOUT ROWID;

INSERT INTO rollups_v5 (minute, zone, agent_id, metrics)
  SELECT minute, zone, agent_id, json_group_object(metric, json_array(count, sum, min, max))
    FROM rollups GROUP BY minute, zone, agent_id;

DROP TABLE rollups;
ALTER TABLE rollups_v5 RENAME TO rollups;

-- Raw points live in the R2 bundles (docs/scale.md "Raw points for analysts").
DROP TABLE metric_points;

-- Nothing queries batches by accepted_at, and every index entry is a billed row write.
DROP INDEX IF EXISTS batches_accepted;
