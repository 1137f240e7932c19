/**
 * The D1 side of storing a pack, one D1 batch (one transaction) of 8 statements whatever the
 * pack's size (each binds the pack's rows as one JSON array), in this order:
 *   1. the counters /metrics and the fleet views read (store/totals.ts: batches, points, accept
 *      decisions, per agent, the pack's sync lag, metric names), 5 statements;
 *   2. fold each batch's metrics into its rollup bucket (minute, zone, agent) — only while its
 *      batch row does not exist yet, so a replayed store folds nothing twice and nobody re-reads
 *      raw points;
 *   3. each batch's accept decision, likewise only while its batch row does not exist yet;
 *   4. the batch rows with where each bundle lies in the pack.
 * One statement per pack rather than one per batch and table: D1 (one writer per database) runs
 * 8 statements for a pack of 100 batches instead of 305 (docs/scale.md). Pack entries are unique
 * by batchId (outbox keys); a repeated one is stored once.
 * Three table rows per batch (six billed with their index entries), and for the counters per pack
 * the two totals, one row per accept verdict and code, the sync row, one per agent in it and one
 * per metric name seen in a later minute than before (docs/scale.md).
 * Returns the table rows written (`changes` summed over the statements) and D1's `rows_written`
 * (what D1 bills: every index entry counts too).
 * Raw metric points are not stored in D1: the bundle in R2 holds them (migration 0005).
 */
import { fromB64url } from '../../attest/bytes/encoding.ts'
import { parseBatchPayload, type BatchPayload } from '../../attest/ingest/batch-payload.ts'
import { insertBatches, type BatchRow } from '../store/batches.ts'
import { insertAcceptDecisions, type DecisionRow } from '../store/decisions.ts'
import { foldRollups, type RollupFold, type RollupMetrics } from '../store/rollups.ts'
import { countStoredPack, type CountedBatch } from '../store/totals.ts'
import { centralLocation, type CentralPlace } from '../residency/central-rows.ts'
import type { Pack } from './pack-bundles.ts'

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

export interface RowsWritten {
  rows: number
  billed: number
  /** The database's size after the batch (D1 meta.size_after), what its size limit is spent on. */
  dbBytes: number
  /** Statements in the D1 batch: 8, whatever the pack's size. */
  statements: number
}

export async function writeRows(
  db: D1Database,
  pack: Pack,
  indices: Map<string, number>,
  place: CentralPlace = { jurisdiction: null, gridDeg: 0 },
): Promise<RowsWritten> {
  const now = Date.now()
  const counted: CountedBatch[] = []
  const folds: RollupFold[] = []
  const decisions: (DecisionRow & { batchId: string })[] = []
  const rows: BatchRow[] = []
  const seen = new Set<string>()
  for (const { b, sha256, offset, length } of pack.entries) {
    if (seen.has(b.batchId)) continue
    seen.add(b.batchId)
    const p = parseBatchPayload(fromB64url(b.payload))
    const minute = Math.floor(p.collectedAt / 60_000)
    counted.push({
      batchId: b.batchId,
      agentId: b.agentId,
      points: p.metrics.length,
      verdict: b.verdict,
      code: b.findings[0] ?? '',
      acceptedAt: b.acceptedAt,
      names: [...new Set(p.metrics.map((m) => m.name))],
      minute,
    })
    const loc = centralLocation(p.location, place)
    folds.push({
      minute,
      zone: b.zone ?? '',
      agentId: b.agentId,
      metrics: foldMetrics(p.metrics),
      batchId: b.batchId,
    })
    decisions.push({
      at: b.acceptedAt,
      kind: 'batch',
      agentId: b.agentId,
      batchId: b.batchId,
      verdict: b.verdict,
      code: b.findings[0] ?? null,
      zone: b.zone,
      cfCountry: b.cfCountry,
      verifyMs: b.verifyMs,
      detail: b.findings.length ? { findings: b.findings } : null,
    })
    rows.push({
      batchId: b.batchId,
      agentId: b.agentId,
      seq: b.seq,
      acceptedAt: b.acceptedAt,
      collectedAt: p.collectedAt,
      storedAt: now,
      verdict: b.verdict,
      findings: b.findings,
      zone: b.zone,
      cfCountry: b.cfCountry,
      lat: loc.lat,
      lon: loc.lon,
      accuracyM: loc.accuracyM,
      metricCount: p.metrics.length,
      evidenceKey: pack.key,
      bundleSha256: sha256,
      logIndex: indices.get(b.batchId) ?? null,
      bundleOffset: offset,
      bundleLength: length,
      jurisdiction: place.jurisdiction,
    })
  }
  // The counters first: they count only batches whose row the statements below will insert; the
  // folds and decisions before the rows, for the same reason.
  const res = await db.batch([
    ...countStoredPack(db, { key: pack.key, storedAt: now, batches: counted }),
    foldRollups(db, folds),
    insertAcceptDecisions(db, decisions),
    insertBatches(db, rows),
  ])
  return {
    rows: res.reduce((n, r) => n + (r.meta.changes ?? 0), 0),
    billed: res.reduce((n, r) => n + (r.meta.rows_written ?? 0), 0),
    dbBytes: res.at(-1)?.meta.size_after ?? 0,
    statements: res.length,
  }
}
