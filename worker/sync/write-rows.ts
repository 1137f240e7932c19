/**
 * The D1 side of storing a pack, one D1 batch (one transaction): for each batch, in this order,
 *   1. fold its metrics into its rollup bucket (minute, zone, agent) — only while its batch row
 *      does not exist yet, so a replayed store folds nothing twice and nobody re-reads raw points;
 *   2. its accept decision (INSERT OR IGNORE on the unique accepted-batch index);
 *   3. its batch row with where its bundle lies in the pack.
 * Three table rows per batch (docs/scale.md). Returns the table rows written (`changes` summed over
 * the statements) and D1's `rows_written` (what D1 bills: every index entry counts too).
 * Raw metric points are not stored in D1: the bundle in R2 holds them (migration 0005).
 */
import { fromB64url } from '../../attest/bytes/encoding.ts'
import { parseBatchPayload, type BatchPayload } from '../../attest/ingest/batch-payload.ts'
import { centralLocation, type CentralPlace } from '../residency/central-rows.ts'
import type { Pack } from './pack-bundles.ts'

/**
 * One bucket's metrics as stored in rollups.metrics: name -> [count, sum, min, max, unit]; the
 * unit (UCUM, as the agent reported it, or null) travels with the rollup since raw points are not
 * in D1, so dashboards can label values.
 */
export type RollupMetrics = Record<string, [number, number, number, number, string | null]>

export function foldMetrics(metrics: BatchPayload['metrics']): RollupMetrics {
  const out: RollupMetrics = {}
  for (const { name, value, unit } of metrics) {
    const cur = out[name]
    out[name] = cur
      ? [
          cur[0] + 1,
          cur[1] + value,
          Math.min(cur[2], value),
          Math.max(cur[3], value),
          cur[4] ?? unit ?? null,
        ]
      : [1, value, value, value, unit ?? null]
  }
  return out
}

// Merge the stored bucket with the batch's: counts and sums add, min and max combine, a unit is
// kept once known (MAX ignores NULL; rows folded before units were kept have none). json(v)
// because a JSON subtype does not survive the subquery.
const FOLD_ROLLUP = `
  INSERT INTO rollups (minute, zone, agent_id, metrics)
  SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM batches WHERE batch_id = ?5)
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

const INSERT_DECISION = `
  INSERT OR IGNORE INTO decisions (at, kind, agent_id, batch_id, verdict, code, zone, cf_country, verify_ms, detail)
  VALUES (?, 'batch', ?, ?, ?, ?, ?, ?, ?, ?)`

const INSERT_BATCH = `
  INSERT OR IGNORE INTO batches (batch_id, agent_id, seq, accepted_at, collected_at, stored_at, verdict,
    findings, zone, cf_country, lat, lon, accuracy_m, metric_count, evidence_key, bundle_sha256, log_index,
    bundle_offset, bundle_length, jurisdiction)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)`

export interface RowsWritten {
  rows: number
  billed: number
  /** The database's size after the batch (D1 meta.size_after), what its size limit is spent on. */
  dbBytes: number
}

export async function writeRows(
  db: D1Database,
  pack: Pack,
  indices: Map<string, number>,
  place: CentralPlace = { jurisdiction: null, gridDeg: 0 },
): Promise<RowsWritten> {
  const now = Date.now()
  const stmts: D1PreparedStatement[] = []
  for (const { b, sha256, offset, length } of pack.entries) {
    const p = parseBatchPayload(fromB64url(b.payload))
    const loc = centralLocation(p.location, place)
    const minute = Math.floor(p.collectedAt / 60_000)
    stmts.push(
      db
        .prepare(FOLD_ROLLUP)
        .bind(minute, b.zone ?? '', b.agentId, JSON.stringify(foldMetrics(p.metrics)), b.batchId),
      db
        .prepare(INSERT_DECISION)
        .bind(
          b.acceptedAt,
          b.agentId,
          b.batchId,
          b.verdict,
          b.findings[0] ?? null,
          b.zone,
          b.cfCountry,
          b.verifyMs,
          b.findings.length ? JSON.stringify({ findings: b.findings }) : null,
        ),
      db
        .prepare(INSERT_BATCH)
        .bind(
          b.batchId,
          b.agentId,
          b.seq,
          b.acceptedAt,
          p.collectedAt,
          now,
          b.verdict,
          JSON.stringify(b.findings),
          b.zone,
          b.cfCountry,
          loc.lat,
          loc.lon,
          loc.accuracyM,
          p.metrics.length,
          pack.key,
          sha256,
          indices.get(b.batchId) ?? null,
          offset,
          length,
          place.jurisdiction,
        ),
    )
  }
  const res = await db.batch(stmts)
  return {
    rows: res.reduce((n, r) => n + (r.meta.changes ?? 0), 0),
    billed: res.reduce((n, r) => n + (r.meta.rows_written ?? 0), 0),
    dbBytes: res.at(-1)?.meta.size_after ?? 0,
  }
}
