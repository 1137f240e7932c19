/**
 * Auditor reads of the transparency log (DESIGN.md "Async sync and provenance"):
 *   GET /v1/log/shards                               the shards, each with its latest head,
 *                                                    and the root log's head
 *   GET /v1/log/sth?shard=                           the latest signed tree head
 *   GET /v1/log/consistency?from=&to=&shard=         consistency proof between two tree sizes
 *   GET /v1/log/inclusion?batchId=&treeSize=&shard=  inclusion proof for a batch's bundle
 * `shard` is a shard id ('2026-12', or '2026-12-04' with LOG_SHARD_PERIOD=day), 'main' (the
 * legacy log) or 'root' (the log of closed shards' final heads; its inclusion keys are
 * worker/log/shards.ts rootKey); without it, the shard of the current period.
 * All need the auditor role. Proof paths are hex hashes in RFC 9162 order; a verifier checks them
 * with attest/merkle against a signed tree head. Bad parameters are ERR_INPUT_MALFORMED, an
 * unknown batch ERR_NOT_FOUND. Leaves out bundle contents: GET /v1/provenance/{batchId} has those.
 */
import { Hono, type Context } from 'hono'
import { AegisError } from '../../attest/errors.ts'
import type { AppEnv } from '../app-env.ts'
import { requireRole } from '../auth/require-role.ts'
import { unwrap } from '../ledger/rpc-result.ts'
import { rootLog, shardLog, type ProvenanceLogApi } from './log-stub.ts'
import { isShardId, ROOT_LOG, shardOf, shardPeriod } from './shards.ts'
import { BATCH_ID } from '../http/params.ts'

const DECIMAL = /^(0|[1-9][0-9]{0,15})$/

export const logRoutes = new Hono<AppEnv>()

logRoutes.get('/v1/log/shards', requireRole('auditor'), async (c) => {
  const period = shardPeriod(c.env)
  const current = shardOf(Date.now(), period)
  const list = unwrap(await rootLog(c.env).listShards())
  if (!list.some((s) => s.id === current)) list.push({ id: current, rootIndex: null })
  const [root, ...heads] = await Promise.all([
    rootLog(c.env).signedTreeHead(),
    ...list.map((s) => shardLog(c.env, s.id).signedTreeHead()),
  ])
  const shards = list.map((s, i) => ({
    id: s.id,
    closed: s.rootIndex !== null,
    rootIndex: s.rootIndex,
    sth: unwrap(heads[i]!),
  }))
  return c.json({ period, current, root: unwrap(root!), shards }, 200, {
    'cache-control': 'no-store',
  })
})

logRoutes.get('/v1/log/sth', requireRole('auditor'), async (c) => {
  const sth = unwrap(await logOf(c).signedTreeHead())
  return c.json(sth, 200, { 'cache-control': 'no-store' })
})

logRoutes.get('/v1/log/consistency', requireRole('auditor'), async (c) => {
  const from = size(c, 'from', true)!
  const to = size(c, 'to', true)!
  const proof = unwrap(await logOf(c).consistencyProof(from, to))
  return c.json(proof, 200, { 'cache-control': 'no-store' })
})

logRoutes.get('/v1/log/inclusion', requireRole('auditor'), async (c) => {
  const batchId = c.req.query('batchId')
  if (batchId === undefined || !BATCH_ID.test(batchId)) {
    throw new AegisError('ERR_INPUT_MALFORMED', 'batchId must be 64 lowercase hex')
  }
  const treeSize = size(c, 'treeSize', false)
  const proof = unwrap(await logOf(c).inclusionProof(batchId, treeSize))
  return c.json(proof, 200, { 'cache-control': 'no-store' })
})

/** The log the `shard` parameter names (see above). */
function logOf(c: Context<AppEnv>): ProvenanceLogApi {
  const all = c.req.queries('shard') ?? []
  const current = shardOf(Date.now(), shardPeriod(c.env))
  if (all.length === 0) return shardLog(c.env, current)
  const id = all.length === 1 ? all[0]! : ''
  if (id === ROOT_LOG) return rootLog(c.env)
  if (!isShardId(id)) {
    throw new AegisError('ERR_INPUT_MALFORMED', "shard must be a shard id, 'main' or 'root'", {
      detail: { parameter: 'shard' },
    })
  }
  // A period yet to come has no log; answering would create an empty object for it.
  if (id.length === current.length && id > current) {
    throw new AegisError('ERR_NOT_FOUND', 'no such shard yet', { detail: { shard: id } })
  }
  return shardLog(c.env, id)
}

/** A tree size from the query: one decimal safe integer, no sign, no leading zeros. */
function size(c: Context<AppEnv>, name: string, required: boolean): number | undefined {
  const all = c.req.queries(name) ?? []
  if (all.length === 0 && !required) return undefined
  const v = all.length === 1 ? all[0]! : ''
  const n = DECIMAL.test(v) ? Number(v) : NaN
  if (!Number.isSafeInteger(n)) {
    throw new AegisError('ERR_INPUT_MALFORMED', `${name} must be a tree size (decimal integer)`, {
      detail: { parameter: name },
    })
  }
  return n
}
