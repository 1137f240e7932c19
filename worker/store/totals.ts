/**
 * Counters that /metrics and the fleet views read instead of counting the history
 * (migrations/0009_bounded_reads.sql, docs/scale.md "Reads that do not grow with the history"):
 * `totals` (batches and metric points stored), `decision_totals` (decisions by kind, verdict and
 * code), `agent_totals` (stored batches per agent), `sync_packs` (one row per stored pack, for
 * the recent sync lag) and `metric_names` (each name's last minute, for the chart picker).
 * All-time: retention deletes rows, never counts.
 *
 * The pack's statements run first in the D1 batch that stores it (sync/write-rows.ts), and each
 * counts only the batches whose row does not exist yet, so a replayed or overlapping store counts
 * nothing twice, as the rollup fold and the accept decision do.
 */

/** What the counters need of one batch of a pack. */
export interface CountedBatch {
  batchId: string
  agentId: string
  points: number
  verdict: string
  /** the accept decision's code ('' for none) */
  code: string
  acceptedAt: number
  /** its metric names and the minute it was collected in (metric_names) */
  names: string[]
  minute: number
}

// The pack's batches not stored yet; ?1 is a JSON array of CountedBatch.
const FRESH = `WITH fresh AS (
  SELECT value ->> '$.batchId' AS batch_id, value ->> '$.agentId' AS agent_id,
         value ->> '$.points' AS points, value ->> '$.verdict' AS verdict, value ->> '$.code' AS code,
         value ->> '$.acceptedAt' AS accepted_at
    FROM json_each(?1)
   WHERE NOT EXISTS (SELECT 1 FROM batches b WHERE b.batch_id = value ->> '$.batchId'))`

// "WHERE true": an INSERT ... SELECT with an upsert clause needs a WHERE (SQLite's parser).
const STORE_TOTALS = `${FRESH}
  INSERT INTO totals (name, n)
    SELECT 'batches_stored', COUNT(*) FROM fresh WHERE true HAVING COUNT(*) > 0
    UNION ALL
    SELECT 'points_stored', SUM(points) FROM fresh WHERE true HAVING COUNT(*) > 0
  ON CONFLICT (name) DO UPDATE SET n = n + excluded.n`

const ACCEPT_TOTALS = `${FRESH}
  INSERT INTO decision_totals (kind, verdict, code, n)
    SELECT 'batch', verdict, code, COUNT(*) FROM fresh WHERE true GROUP BY verdict, code
  ON CONFLICT (kind, verdict, code) DO UPDATE SET n = n + excluded.n`

const AGENT_TOTALS = `${FRESH}
  INSERT INTO agent_totals (agent_id, batches)
    SELECT agent_id, COUNT(*) FROM fresh WHERE true GROUP BY agent_id
  ON CONFLICT (agent_id) DO UPDATE SET batches = batches + excluded.batches`

const SYNC_PACK = `${FRESH}
  INSERT INTO sync_packs (stored_at, pack, batches, lag_sum, lag_max)
    SELECT ?2, ?3, COUNT(*), SUM(?2 - accepted_at), MAX(?2 - accepted_at) FROM fresh
     WHERE true HAVING COUNT(*) > 0
  ON CONFLICT (stored_at, pack) DO NOTHING`

// Names only move forward: a pack whose names were all seen in a later minute writes nothing.
const METRIC_NAMES = `
  INSERT INTO metric_names (name, last_minute)
    SELECT n.value, MAX(b.value ->> '$.minute') FROM json_each(?1) b, json_each(b.value -> '$.names') n
     WHERE true GROUP BY n.value
  ON CONFLICT (name) DO UPDATE SET last_minute = excluded.last_minute
   WHERE excluded.last_minute > metric_names.last_minute`

/** The counters' statements for a pack; to run before its batch rows are inserted. */
export function countStoredPack(
  db: D1Database,
  pack: { key: string; storedAt: number; batches: CountedBatch[] },
): D1PreparedStatement[] {
  const json = JSON.stringify(pack.batches)
  return [
    db.prepare(STORE_TOTALS).bind(json),
    db.prepare(ACCEPT_TOTALS).bind(json),
    db.prepare(AGENT_TOTALS).bind(json),
    db.prepare(SYNC_PACK).bind(json, pack.storedAt, pack.key),
    db.prepare(METRIC_NAMES).bind(json),
  ]
}

/** One recorded decision (not a stored batch's accept: countStoredPack counts those). */
export function countDecision(
  db: D1Database,
  d: { kind: string; verdict: string; code: string | null },
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO decision_totals (kind, verdict, code, n) VALUES (?1, ?2, ?3, 1)
       ON CONFLICT (kind, verdict, code) DO UPDATE SET n = n + 1`,
    )
    .bind(d.kind, d.verdict, d.code ?? '')
}

/** Rows {name, n} of `totals`, for GET /metrics. */
export function readTotals(db: D1Database): D1PreparedStatement {
  return db.prepare('SELECT name, n FROM totals')
}

/** Decisions by kind, verdict and code ('' for none), for GET /metrics. */
export function readDecisionTotals(db: D1Database): D1PreparedStatement {
  return db.prepare('SELECT kind, verdict, code, n FROM decision_totals')
}

/** Acceptance-to-storage lag of the batches stored since `since`: one row {n, avg, max}. */
export function recentSyncLag(db: D1Database, since: number): D1PreparedStatement {
  return db
    .prepare(
      `SELECT COALESCE(SUM(batches), 0) AS n,
              COALESCE(SUM(lag_sum) * 1.0 / NULLIF(SUM(batches), 0), 0) AS avg,
              COALESCE(MAX(lag_max), 0) AS max
         FROM sync_packs WHERE stored_at >= ?`,
    )
    .bind(since)
}

export function deleteSyncPacksBefore(db: D1Database, at: number): D1PreparedStatement {
  return db.prepare('DELETE FROM sync_packs WHERE stored_at < ?').bind(at)
}

/** Metric names seen since `fromMinute` (at most 500, sorted): GET /v1/fleet/metrics. */
export async function metricNames(db: D1Database, fromMinute: number): Promise<string[]> {
  const { results } = await db
    .prepare('SELECT name FROM metric_names WHERE last_minute >= ?1 ORDER BY name LIMIT 500')
    .bind(fromMinute)
    .all<{ name: string }>()
  return results.map((r) => r.name)
}

export function deleteMetricNamesBefore(db: D1Database, minute: number): D1PreparedStatement {
  return db.prepare('DELETE FROM metric_names WHERE last_minute < ?').bind(minute)
}
