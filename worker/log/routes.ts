/**
 * Auditor reads of the transparency log (DESIGN.md "Async sync and provenance"):
 *   GET /v1/log/sth                                  the latest signed tree head
 *   GET /v1/log/consistency?from=&to=                consistency proof between two tree sizes
 *   GET /v1/log/inclusion?batchId=&treeSize=         inclusion proof for a batch's bundle
 * All need the auditor role. Proof paths are hex hashes in RFC 9162 order; a verifier checks them
 * with attest/merkle against a signed tree head. Bad parameters are ERR_INPUT_MALFORMED, an
 * unknown batch ERR_NOT_FOUND. Leaves out bundle contents: GET /v1/provenance/{batchId} has those.
 */
import { Hono, type Context } from 'hono'
import { AegisError } from '../../attest/errors.ts'
import type { AppEnv } from '../app-env.ts'
import { requireRole } from '../auth/require-role.ts'
import { unwrap } from '../ledger/rpc-result.ts'
import { provenanceLog } from './log-stub.ts'

const BATCH_ID = /^[0-9a-f]{64}$/
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/

export const logRoutes = new Hono<AppEnv>()

logRoutes.get('/v1/log/sth', requireRole('auditor'), async (c) => {
  const sth = unwrap(await provenanceLog(c.env).signedTreeHead())
  return c.json(sth, 200, { 'cache-control': 'no-store' })
})

logRoutes.get('/v1/log/consistency', requireRole('auditor'), async (c) => {
  const from = size(c, 'from', true)!
  const to = size(c, 'to', true)!
  const proof = unwrap(await provenanceLog(c.env).consistencyProof(from, to))
  return c.json(proof, 200, { 'cache-control': 'no-store' })
})

logRoutes.get('/v1/log/inclusion', requireRole('auditor'), async (c) => {
  const batchId = c.req.query('batchId')
  if (batchId === undefined || !BATCH_ID.test(batchId)) {
    throw new AegisError('ERR_INPUT_MALFORMED', 'batchId must be 64 lowercase hex')
  }
  const treeSize = size(c, 'treeSize', false)
  const proof = unwrap(await provenanceLog(c.env).inclusionProof(batchId, treeSize))
  return c.json(proof, 200, { 'cache-control': 'no-store' })
})

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
