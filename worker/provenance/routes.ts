/**
 * GET /v1/provenance/{batchId} (auditor): the evidence bundle of an accepted batch as stored in
 * R2, its inclusion proof in the transparency log and the signed tree head the proof leads to.
 * Everything needed to re-verify the batch offline with `aegis verify bundle`. The proof comes
 * from the log shard that holds the batch (worker/log/shards.ts: the shard of its acceptedAt, or
 * a later one if that was closed when it arrived; 'main' for batches logged before shards) and,
 * once that shard is closed, with the inclusion of its final head in the root log.
 * A batch accepted but not yet synced answers 404 with the member pending = true. Bundles stored since
 * migration 0005 are a byte range of an evidence pack; older ones are an object of their own.
 */
import { Hono } from 'hono'
import { toB64url } from '../../attest/bytes/encoding.ts'
import { PROVENANCE_FORMAT, type ProvenanceRecord } from '../../attest/bundle/provenance.ts'
import { AegisError } from '../../attest/errors.ts'
import type { AppEnv } from '../app-env.ts'
import { requireRole } from '../auth/require-role.ts'
import { unwrap } from '../ledger/rpc-result.ts'
import { evidenceBucket } from '../residency/bindings.ts'
import { requireJurisdiction } from '../residency/scope.ts'
import { rootLog } from '../log/log-stub.ts'
import { bundleLocation } from '../store/batches.ts'
import { findInShards } from '../log/find-shard.ts'
import { LEGACY_SHARD, rootKey } from '../log/shards.ts'
import { BATCH_ID } from '../http/params.ts'

export const provenanceRoutes = new Hono<AppEnv>()

provenanceRoutes.get('/v1/provenance/:batchId', requireRole('auditor'), async (c) => {
  const batchId = c.req.param('batchId')
  if (!BATCH_ID.test(batchId))
    throw new AegisError('ERR_INPUT_MALFORMED', 'batchId must be 64 lowercase hex')
  const row = await bundleLocation(c.env.DB, batchId)
  if (!row) {
    throw new AegisError(
      'ERR_NOT_FOUND',
      'no stored batch with this id (it may not be synced yet)',
      {
        detail: { batchId },
      },
    )
  }
  // A bundle stored in a pack (worker/sync/pack-bundles.ts) is read by its byte range alone.
  const { range } = row
  // Served from the bundle's own jurisdiction, to principals scoped to it (docs/sovereignty.md).
  requireJurisdiction(c.get('principal'), row.jurisdiction)
  const { bucket } = evidenceBucket(c.env, row.jurisdiction)
  const obj = await bucket.get(row.evidenceKey, range ? { range } : undefined)
  if (!obj) throw new AegisError('ERR_INTERNAL', 'evidence bundle missing from storage')
  const bytes = new Uint8Array(await obj.arrayBuffer())
  // The bundle's acceptedAt picks the shard, as it did for the consumer's append.
  const { acceptedAt } = JSON.parse(new TextDecoder().decode(bytes)) as { acceptedAt: string }
  const { shard, proof: p } = await findInShards(c.env, batchId, Date.parse(acceptedAt))
  const { sth, inclusion: proof } = p
  const rec: ProvenanceRecord = {
    format: PROVENANCE_FORMAT,
    batchId,
    bundle: toB64url(bytes),
    bundleSha256: row.bundleSha256,
    inclusion: {
      index: proof.index,
      treeSize: proof.treeSize,
      leafHash: proof.leafHash,
      path: proof.path,
    },
    sth,
    ...(shard === LEGACY_SHARD ? {} : { shard }),
  }
  // Closed but its head not in the root log yet (the cron logs it on its next run): no root part.
  const root = p.closed ? await rootProof(c.env, shard) : undefined
  if (root) rec.root = root
  return c.json(rec, 200, { 'cache-control': 'no-store' })
})

/** The inclusion of a closed shard's final head in the root log, at the root's signed head. */
async function rootProof(env: Env, shard: string): Promise<ProvenanceRecord['root']> {
  const root = rootLog(env)
  const sth = unwrap(await root.signedTreeHead())
  const r = await root.inclusionProof(rootKey(shard), sth.treeSize)
  if (!r.ok && r.error.code === 'ERR_NOT_FOUND') return undefined
  const p = unwrap(r)
  return {
    inclusion: { index: p.index, treeSize: p.treeSize, leafHash: p.leafHash, path: p.path },
    sth,
  }
}
