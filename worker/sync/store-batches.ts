/**
 * Store accepted batches announced on the sync queue: read each from its agent's ledger outbox,
 * write the evidence bundle to R2, append its hash to the transparency log, then insert the D1
 * rows (batch, metric points, accept decision) and recompute the touched rollup buckets in one D1
 * transaction, and finally drop the entries from the outbox. Every step is idempotent by batchId,
 * so a redelivered or concurrent message converges to the same rows.
 */
import { fromB64url } from '../../attest/bytes/encoding.ts'
import { bundleKey, serializeBundle } from '../../attest/bundle/build-bundle.ts'
import { BUNDLE_FORMAT, type EvidenceBundle } from '../../attest/bundle/evidence-bundle.ts'
import { parseBatchPayload } from '../../attest/ingest/batch-payload.ts'
import { agentLedger } from '../ledger/ledger-stub.ts'
import type { AcceptedBatch, AgentRecord } from '../ledger/types.ts'
import { appendToLog } from './append-to-log.ts'

export function buildBundle(b: AcceptedBatch, agent: AgentRecord): EvidenceBundle {
  return {
    format: BUNDLE_FORMAT,
    batchId: b.batchId,
    agentId: b.agentId,
    seq: b.seq,
    acceptedAt: new Date(b.acceptedAt).toISOString(),
    verdict: b.verdict,
    findings: b.findings,
    zone: b.zone,
    cfCountry: b.cfCountry,
    policyVersion: b.policyVersion,
    payload: b.payload,
    nonce: b.nonce,
    quote: b.quote,
    ak: { public: b.akPublic, name: b.akName },
    ek: {
      public: agent.ekPublic,
      cert: agent.ekCert,
      certSha256: agent.ekCertSha256,
      ...(agent.ekCertChain?.length ? { chain: agent.ekCertChain } : {}),
    },
    binding: agent.binding,
    receipt: b.receipt,
  }
}

/** Store what the outbox of `agentId` holds among `batchIds`; returns the ids now stored. */
export async function storeAgentBatches(env: Env, agentId: string, batchIds: string[]): Promise<void> {
  const ledger = agentLedger(env, agentId)
  const records = await ledger.getOutbox(batchIds)
  if (records.length === 0) return // already stored and acknowledged earlier: nothing to do
  const agent = await ledger.getAgent()
  if (!agent) throw new Error(`agent ${agentId} has outbox entries but no record`)

  const stored: { b: AcceptedBatch; key: string; sha: string }[] = []
  for (const b of records) {
    const { bytes, sha256 } = serializeBundle(buildBundle(b, agent))
    const key = bundleKey(b.agentId, b.batchId)
    await env.EVIDENCE.put(key, bytes, {
      httpMetadata: { contentType: 'application/json' },
      customMetadata: { sha256, agentId: b.agentId },
    })
    stored.push({ b, key, sha: sha256 })
  }
  const indices = await appendToLog(env, stored.map((s) => ({ batchId: s.b.batchId, bundleSha256: s.sha })))

  const db = env.DB
  const ids = stored.map((s) => s.b.batchId)
  const existing = new Set(
    (
      await db
        .prepare(`SELECT batch_id FROM batches WHERE batch_id IN (SELECT value FROM json_each(?))`)
        .bind(JSON.stringify(ids))
        .all<{ batch_id: string }>()
    ).results.map((r) => r.batch_id),
  )
  const stmts: D1PreparedStatement[] = []
  const buckets = new Map<string, [number, string, string]>()
  const now = Date.now()
  for (const { b, key, sha } of stored) {
    if (existing.has(b.batchId)) continue
    const p = parseBatchPayload(fromB64url(b.payload))
    const zone = b.zone ?? ''
    stmts.push(
      db
        .prepare(
          `INSERT OR IGNORE INTO batches (batch_id, agent_id, seq, accepted_at, collected_at, stored_at, verdict,
             findings, zone, cf_country, lat, lon, accuracy_m, metric_count, evidence_key, bundle_sha256, log_index)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)`,
        )
        .bind(
          b.batchId, b.agentId, b.seq, b.acceptedAt, p.collectedAt, now, b.verdict, JSON.stringify(b.findings),
          b.zone, b.cfCountry, p.location.lat, p.location.lon, p.location.accuracyM, p.metrics.length, key, sha,
          indices.get(b.batchId) ?? null,
        ),
      db
        .prepare(
          `INSERT OR IGNORE INTO decisions (at, kind, agent_id, batch_id, verdict, code, zone, cf_country, verify_ms, detail)
           VALUES (?, 'batch', ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .bind(
          b.acceptedAt, b.agentId, b.batchId, b.verdict, b.findings[0] ?? null, b.zone, b.cfCountry, b.verifyMs,
          b.findings.length ? JSON.stringify({ findings: b.findings }) : null,
        ),
    )
    const minute = Math.floor(p.collectedAt / 60_000)
    p.metrics.forEach((m, idx) => {
      stmts.push(
        db
          .prepare(
            `INSERT OR IGNORE INTO metric_points (batch_id, idx, agent_id, zone, metric, value, unit, at, minute)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .bind(b.batchId, idx, b.agentId, zone, m.name, m.value, m.unit ?? null, p.collectedAt, minute),
      )
    })
    buckets.set(`${minute}|${b.agentId}|${zone}`, [minute, b.agentId, zone])
  }
  for (const [minute, agent_id, zone] of buckets.values()) {
    stmts.push(
      db
        .prepare(
          `INSERT OR REPLACE INTO rollups (minute, metric, zone, agent_id, count, sum, min, max)
           SELECT minute, metric, zone, agent_id, count(*), sum(value), min(value), max(value)
             FROM metric_points WHERE minute = ?1 AND agent_id = ?2 AND zone = ?3
             GROUP BY minute, metric, zone, agent_id`,
        )
        .bind(minute, agent_id, zone),
    )
  }
  if (stmts.length) await db.batch(stmts)
  await ledger.ackOutbox(ids)
}
