/**
 * D1 `batches` (migrations/0002_batches.sql, 0005, 0006): one row per stored accepted batch, written
 * by the sync consumer (sync/write-rows.ts) with where its evidence bundle lies in R2. Insert is
 * idempotent by batch_id.
 */
import type { Jurisdiction } from '../residency/jurisdiction.ts'

export interface BatchRow {
  batchId: string
  agentId: string
  seq: number
  acceptedAt: number
  collectedAt: number
  storedAt: number
  verdict: string
  findings: string[]
  zone: string | null
  cfCountry: string | null
  lat: number
  lon: number
  accuracyM: number
  metricCount: number
  evidenceKey: string
  bundleSha256: string
  logIndex: number | null
  bundleOffset: number | null
  bundleLength: number | null
  /** the jurisdiction whose bucket holds its bundle (migration 0006); null: unrestricted */
  jurisdiction: Jurisdiction | null
}

// One row per element of ?1, a JSON array of BatchRow (findings as JSON text): a pack's rows in
// one statement, so D1 runs 1 statement per pack instead of 1 per batch (docs/scale.md).
const INSERT_BATCHES = `
  INSERT OR IGNORE INTO batches (batch_id, agent_id, seq, accepted_at, collected_at, stored_at,
      verdict, findings, zone, cf_country, lat, lon, accuracy_m, metric_count, evidence_key,
      bundle_sha256, log_index, bundle_offset, bundle_length, jurisdiction)
    SELECT value ->> '$.batchId', value ->> '$.agentId', value ->> '$.seq', value ->> '$.acceptedAt',
      value ->> '$.collectedAt', value ->> '$.storedAt', value ->> '$.verdict', value ->> '$.findings',
      value ->> '$.zone', value ->> '$.cfCountry', value ->> '$.lat', value ->> '$.lon',
      value ->> '$.accuracyM', value ->> '$.metricCount', value ->> '$.evidenceKey',
      value ->> '$.bundleSha256', value ->> '$.logIndex', value ->> '$.bundleOffset',
      value ->> '$.bundleLength', value ->> '$.jurisdiction'
      FROM json_each(?1)`

/** The rows of a pack's batches, in one statement; a row that exists already is left as it is. */
export function insertBatches(db: D1Database, rows: BatchRow[]): D1PreparedStatement {
  return db
    .prepare(INSERT_BATCHES)
    .bind(JSON.stringify(rows.map((b) => ({ ...b, findings: JSON.stringify(b.findings) }))))
}

/** Where a stored batch's evidence bundle is: an R2 object, or a byte range of a pack. */
export interface BundleLocation {
  agentId: string
  evidenceKey: string
  bundleSha256: string
  /** null: the object is the bundle alone (stored before migration 0005). */
  range: { offset: number; length: number } | null
  /** the jurisdiction whose bucket holds the bundle (null: the central EVIDENCE bucket) */
  jurisdiction: Jurisdiction | null
}

export async function bundleLocation(
  db: D1Database,
  batchId: string,
): Promise<BundleLocation | null> {
  const r = await db
    .prepare(
      `SELECT agent_id, evidence_key, bundle_sha256, bundle_offset, bundle_length, jurisdiction
       FROM batches WHERE batch_id = ?`,
    )
    .bind(batchId)
    .first<{
      jurisdiction: Jurisdiction | null
      agent_id: string
      evidence_key: string
      bundle_sha256: string
      bundle_offset: number | null
      bundle_length: number | null
    }>()
  if (!r) return null
  return {
    agentId: r.agent_id,
    evidenceKey: r.evidence_key,
    bundleSha256: r.bundle_sha256,
    range:
      r.bundle_offset === null ? null : { offset: r.bundle_offset, length: r.bundle_length ?? 0 },
    jurisdiction: r.jurisdiction,
  }
}

/** A stored bundle of one agent, as a residency move reads it (worker/residency/move-evidence.ts). */
export interface MovableBundle {
  batch_id: string
  evidence_key: string
  bundle_sha256: string
  bundle_offset: number | null
  bundle_length: number | null
  jurisdiction: Jurisdiction | null
  lat: number
  lon: number
}

/** Up to `limit` of an agent's bundles stored outside jurisdiction `to` (null: central), by seq. */
export async function bundlesOutside(
  db: D1Database,
  agentId: string,
  to: Jurisdiction | null,
  limit: number,
): Promise<MovableBundle[]> {
  const { results } = await db
    .prepare(
      `SELECT batch_id, evidence_key, bundle_sha256, bundle_offset, bundle_length, jurisdiction, lat, lon
         FROM batches WHERE agent_id = ?1 AND jurisdiction IS NOT ?2 ORDER BY seq LIMIT ?3`,
    )
    .bind(agentId, to, limit)
    .all<MovableBundle>()
  return results
}

/**
 * Point a batch row at its bundle's new place: a pack, a byte range, the jurisdiction whose
 * bucket holds it and, when given, a new (coarsened) location.
 */
export function repointBundle(
  db: D1Database,
  batchId: string,
  at: { key: string; offset: number; length: number; jurisdiction?: Jurisdiction | null },
  loc?: { lat: number; lon: number; accuracyM: number } | null,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE batches SET evidence_key = ?2, bundle_offset = ?3, bundle_length = ?4,
         jurisdiction = CASE WHEN ?5 THEN ?6 ELSE jurisdiction END,
         lat = coalesce(?7, lat), lon = coalesce(?8, lon), accuracy_m = coalesce(?9, accuracy_m)
       WHERE batch_id = ?1`,
    )
    .bind(
      batchId,
      at.key,
      at.offset,
      at.length,
      at.jurisdiction !== undefined ? 1 : 0,
      at.jurisdiction ?? null,
      loc?.lat ?? null,
      loc?.lon ?? null,
      loc?.accuracyM ?? null,
    )
}

/** The bundles a pack in a jurisdiction's bucket holds (null: central), with their byte ranges. */
export async function bundlesInPack(
  db: D1Database,
  key: string,
  jurisdiction: Jurisdiction | null,
): Promise<{ batch_id: string; bundle_offset: number | null; bundle_length: number | null }[]> {
  const { results } = await db
    .prepare(
      'SELECT batch_id, bundle_offset, bundle_length FROM batches WHERE evidence_key = ? AND jurisdiction IS ?',
    )
    .bind(key, jurisdiction)
    .all<{ batch_id: string; bundle_offset: number | null; bundle_length: number | null }>()
  return results
}
