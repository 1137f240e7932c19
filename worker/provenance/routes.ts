/**
 * GET /v1/provenance/{batchId} (auditor): the evidence bundle of an accepted batch as stored in
 * R2, its inclusion proof in the transparency log and the signed tree head the proof leads to.
 * Everything needed to re-verify the batch offline with `aegis verify bundle`.
 * A batch accepted but not yet synced answers 404 with detail.pending = true. Bundles stored since
 * migration 0005 are a byte range of an evidence pack; older ones are an object of their own.
 */
import { Hono } from 'hono'
import { toB64url } from '../../attest/bytes/encoding.ts'
import { PROVENANCE_FORMAT, type ProvenanceRecord } from '../../attest/bundle/provenance.ts'
import { AegisError } from '../../attest/errors.ts'
import type { AppEnv } from '../app-env.ts'
import { requireRole } from '../auth/require-role.ts'
import { unwrap } from '../ledger/rpc-result.ts'
import { provenanceLog } from '../log/log-stub.ts'

export const provenanceRoutes = new Hono<AppEnv>()

provenanceRoutes.get('/v1/provenance/:batchId', requireRole('auditor'), async (c) => {
  const batchId = c.req.param('batchId')
  if (!/^[0-9a-f]{64}$/.test(batchId)) throw new AegisError('ERR_INPUT_MALFORMED', 'batchId must be 64 lowercase hex')
  const row = await c.env.DB.prepare(
    'SELECT agent_id, evidence_key, bundle_sha256, bundle_offset, bundle_length FROM batches WHERE batch_id = ?',
  )
    .bind(batchId)
    .first<{ agent_id: string; evidence_key: string; bundle_sha256: string; bundle_offset: number | null; bundle_length: number | null }>()
  if (!row) {
    throw new AegisError('ERR_NOT_FOUND', 'no stored batch with this id (it may not be synced yet)', {
      detail: { batchId },
    })
  }
  // A bundle stored in a pack (worker/sync/pack-bundles.ts) is read by its byte range alone.
  const range = row.bundle_offset === null ? undefined : { offset: row.bundle_offset, length: row.bundle_length ?? 0 }
  const obj = await c.env.EVIDENCE.get(row.evidence_key, range ? { range } : undefined)
  if (!obj) throw new AegisError('ERR_INTERNAL', 'evidence bundle missing from storage')
  const bytes = new Uint8Array(await obj.arrayBuffer())
  const log = provenanceLog(c.env)
  const sth = unwrap(await log.signedTreeHead())
  const proof = unwrap(await log.inclusionProof(batchId, sth.treeSize))
  const rec: ProvenanceRecord = {
    format: PROVENANCE_FORMAT,
    batchId,
    bundle: toB64url(bytes),
    bundleSha256: row.bundle_sha256,
    inclusion: { index: proof.index, treeSize: proof.treeSize, leafHash: proof.leafHash, path: proof.path },
    sth,
  }
  return c.json(rec, 200, { 'cache-control': 'no-store' })
})
