/**
 * D1 `rollups` (migrations/0005_storage_per_batch.sql): one row per (minute, zone, agent) holding
 * every metric of that bucket as {"metric": [count, sum, min, max, unit]}. Folded by the sync
 * consumer (sync/write-rows.ts) in the transaction that inserts the batch row; read by the
 * dashboard.
 */

/**
 * One bucket's metrics as stored in rollups.metrics: name -> [count, sum, min, max, unit]; the
 * unit (UCUM, as the agent reported it, or null) travels with the rollup since raw points are not
 * in D1, so dashboards can label values.
 */
export type RollupMetrics = Record<string, [number, number, number, number, string | null]>

// Merge the stored bucket with the batch's: counts and sums add, min and max combine, a unit is
// kept once known (MAX ignores NULL; rows folded before units were kept have none). json(v)
// because a JSON subtype does not survive the subquery. One source row per element of ?1 (a JSON
// array of RollupFold): SQLite applies the upsert row by row, so two batches of one bucket in a
// pack fold one after the other. "WHERE" also ends the SELECT before ON CONFLICT (its parser).
const FOLD_ROLLUPS = `
  INSERT INTO rollups (minute, zone, agent_id, metrics)
    SELECT value ->> '$.minute', value ->> '$.zone', value ->> '$.agentId', json(value -> '$.metrics')
      FROM json_each(?1)
     WHERE NOT EXISTS (SELECT 1 FROM batches WHERE batch_id = value ->> '$.batchId')
  ON CONFLICT (minute, zone, agent_id) DO UPDATE SET metrics = (
    SELECT json_group_object(k, json(v)) FROM (
      SELECT k, json_array(SUM(c), SUM(s), MIN(lo), MAX(hi), MAX(u)) AS v FROM (
        SELECT key AS k, value ->> 0 AS c, value ->> 1 AS s, value ->> 2 AS lo, value ->> 3 AS hi, value ->> 4 AS u
          FROM json_each(rollups.metrics)
        UNION ALL
        SELECT key, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(excluded.metrics)
      ) GROUP BY k
    )
  )`

/** One batch's contribution to its bucket. */
export interface RollupFold {
  minute: number
  zone: string
  agentId: string
  metrics: RollupMetrics
  batchId: string
}

/**
 * Fold a pack's batches into their buckets in one statement, each only while its batch's row does
 * not exist yet: run before insertBatches in the same D1 batch, a replayed store folds nothing
 * twice.
 */
export function foldRollups(db: D1Database, folds: RollupFold[]): D1PreparedStatement {
  return db.prepare(FOLD_ROLLUPS).bind(JSON.stringify(folds))
}

export interface RollupBucket {
  /** Bucket start, in minutes since the epoch. */
  bucket: number
  zone: string
  agentId: string
  count: number
  sum: number
  min: number
  max: number
  unit: string | null
}

/**
 * One metric re-bucketed into `step`-minute buckets per zone and agent over [fromMinute,
 * toMinute]. The metric name must not contain a quote: it goes into a quoted JSON path.
 */
export async function rollupSeries(
  db: D1Database,
  q: {
    metric: string
    step: number
    fromMinute: number
    toMinute: number
    zone: string | null
    agentId: string | null
  },
): Promise<RollupBucket[]> {
  const { results } = await db
    .prepare(
      `SELECT (minute / CAST(?1 AS INTEGER)) * CAST(?1 AS INTEGER) AS bucket, zone, agent_id, SUM(m ->> 0) AS count,
            SUM(m ->> 1) AS sum, MIN(m ->> 2) AS min, MAX(m ->> 3) AS max, MAX(m ->> 4) AS unit
       FROM (SELECT minute, zone, agent_id, json_extract(metrics, ?2) AS m FROM rollups
              WHERE minute >= ?3 AND minute <= ?4 AND (?5 IS NULL OR zone = ?5) AND (?6 IS NULL OR agent_id = ?6))
      WHERE m IS NOT NULL
      GROUP BY bucket, zone, agent_id ORDER BY bucket, zone, agent_id LIMIT 20000`,
    )
    .bind(q.step, `$."${q.metric}"`, q.fromMinute, q.toMinute, q.zone, q.agentId)
    .all<Omit<RollupBucket, 'agentId'> & { agent_id: string }>()
  return results.map(({ agent_id, ...r }) => ({ ...r, agentId: agent_id }))
}

export function deleteRollupsBefore(db: D1Database, minute: number): D1PreparedStatement {
  return db.prepare('DELETE FROM rollups WHERE minute < ?').bind(minute)
}
