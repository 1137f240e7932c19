/**
 * GET /v1/log/sth, /v1/log/consistency and /v1/log/inclusion through the collector's fetch
 * handler, on the shard of the current period (the default without ?shard=): role checks (no token 401, viewer 403, auditor and operator
 * 200), answers that verify with attest/merkle and jose against /.well-known/jwks.json, strict
 * query parsing, and the cron handler publishing a fresh signed tree head.
 */
import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { fromHex, fromUtf8 } from '../../../attest/bytes/encoding.ts'
import { verifyConsistency } from '../../../attest/merkle/verify-consistency.ts'
import { verifyInclusion } from '../../../attest/merkle/verify-inclusion.ts'
import worker from '../../../worker/index.ts'
import { unwrap } from '../../../worker/ledger/rpc-result.ts'
import { shardLog } from '../../../worker/log/log-stub.ts'
import { shardOf } from '../../../worker/log/shards.ts'
import type {
  ConsistencyProofResult,
  InclusionProofResult,
  SignedTreeHead,
} from '../../../worker/log/types.ts'
import { TREE_HEAD_TYP } from '../../../worker/tokens/sign-tree-head.ts'
import { authHeaders } from '../helpers/auth.ts'
import { bytes, entries, leafOf } from './helpers.ts'

const tag = `routes-${crypto.randomUUID()}`
const es = entries(tag, 0, 12)
const current = () => shardOf(Date.now(), 'month')
const currentLog = () => shardLog(env, current())

async function get(path: string, role?: 'viewer' | 'auditor' | 'operator') {
  const headers = role ? await authHeaders(role) : {}
  return exports.default.fetch(`http://collector${path}`, { headers })
}

async function getJson<T>(path: string): Promise<T> {
  const res = await get(path, 'auditor')
  expect(res.status, path).toBe(200)
  expect(res.headers.get('cache-control')).toBe('no-store')
  return (await res.json()) as T
}

async function problem(path: string, status: number, code: string) {
  const res = await get(path, 'auditor')
  expect(res.status, path).toBe(status)
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  expect(((await res.json()) as { code: string }).code, path).toBe(code)
}

async function verifySth(sth: SignedTreeHead) {
  const jwks = createLocalJWKSet(
    (await (
      await exports.default.fetch('http://collector/.well-known/jwks.json')
    ).json()) as JSONWebKeySet,
  )
  const { payload, protectedHeader } = await compactVerify(sth.signature, jwks)
  expect(protectedHeader.typ).toBe(TREE_HEAD_TYP)
  const { treeSize, rootHash, timestamp, log } = sth
  // The head names its shard, so it cannot pass for another shard's.
  expect(log).toBe(current())
  expect(JSON.parse(fromUtf8(payload))).toEqual({ treeSize, rootHash, timestamp, log })
}

beforeAll(async () => {
  // What the sync consumer does once a bundle is stored.
  unwrap(await currentLog().append(es.slice(0, 5)))
})

describe('role checks', () => {
  const paths = [
    '/v1/log/sth',
    '/v1/log/consistency?from=1&to=2',
    `/v1/log/inclusion?batchId=${es[0]!.batchId}`,
  ]

  it.each(paths)('%s: no token 401, viewer 403, auditor and operator 200', async (path) => {
    const none = await get(path)
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /)
    expect(((await none.json()) as { code: string }).code).toBe('ERR_AUTH_MISSING')
    const viewer = await get(path, 'viewer')
    expect(viewer.status).toBe(403)
    expect(((await viewer.json()) as { code: string }).code).toBe('ERR_AUTH_FORBIDDEN')
    expect((await get(path, 'auditor')).status).toBe(200)
    expect((await get(path, 'operator')).status).toBe(200)
  })
})

describe('answers', () => {
  it('serves a verifiable STH, inclusion proofs against it, and consistency between two STHs', async () => {
    const first = await getJson<SignedTreeHead>('/v1/log/sth')
    await verifySth(first)
    expect(first.treeSize).toBeGreaterThanOrEqual(5)

    unwrap(await currentLog().append(es.slice(5)))
    const second = await getJson<SignedTreeHead>('/v1/log/sth')
    await verifySth(second)
    // Other test files may share the shard, so only a lower bound holds.
    expect(second.treeSize).toBeGreaterThanOrEqual(first.treeSize + 7)

    for (const e of es) {
      const p = await getJson<InclusionProofResult>(
        `/v1/log/inclusion?batchId=${e.batchId}&treeSize=${second.treeSize}`,
      )
      expect(p.rootHash).toBe(second.rootHash)
      verifyInclusion({
        leafHash: leafOf(e),
        index: p.index,
        treeSize: second.treeSize,
        path: bytes(p.path),
        root: fromHex(second.rootHash),
      })
    }

    const c = await getJson<ConsistencyProofResult>(
      `/v1/log/consistency?from=${first.treeSize}&to=${second.treeSize}`,
    )
    verifyConsistency({
      first: first.treeSize,
      second: second.treeSize,
      firstRoot: fromHex(first.rootHash),
      secondRoot: fromHex(second.rootHash),
      path: bytes(c.path),
    })
  })

  it('refuses malformed parameters with ERR_INPUT_MALFORMED and unknown batches with ERR_NOT_FOUND', async () => {
    const id = es[0]!.batchId
    for (const q of [
      '/v1/log/inclusion',
      `/v1/log/inclusion?batchId=${id.toUpperCase()}`,
      `/v1/log/inclusion?batchId=${id}00`,
      `/v1/log/inclusion?batchId=${id}&treeSize=abc`,
      `/v1/log/inclusion?batchId=${id}&treeSize=01`,
      `/v1/log/inclusion?batchId=${id}&treeSize=-1`,
      `/v1/log/inclusion?batchId=${id}&treeSize=`,
      `/v1/log/inclusion?batchId=${id}&treeSize=1&treeSize=2`,
      `/v1/log/inclusion?batchId=${id}&treeSize=99999999999999999`,
      `/v1/log/inclusion?batchId=${id}&treeSize=${Number.MAX_SAFE_INTEGER}`,
      '/v1/log/consistency',
      '/v1/log/consistency?from=1',
      '/v1/log/consistency?to=2',
      '/v1/log/consistency?from=1.0&to=2',
      '/v1/log/consistency?from=3&to=2',
      `/v1/log/consistency?from=1&to=${Number.MAX_SAFE_INTEGER}`,
    ]) {
      await problem(q, 400, 'ERR_INPUT_MALFORMED')
    }
    await problem(`/v1/log/inclusion?batchId=${'0'.repeat(64)}`, 404, 'ERR_NOT_FOUND')
  })
})

describe('cron', () => {
  it('the scheduled handler publishes a freshly signed tree head', async () => {
    const before = unwrap(await currentLog().signedTreeHead())
    const ctx = createExecutionContext()
    const handler = worker as ExportedHandler<Env>
    await handler.scheduled!(createScheduledController({ cron: '*/5 * * * *' }), env, ctx)
    await waitOnExecutionContext(ctx)
    const after = await getJson<SignedTreeHead>('/v1/log/sth')
    expect(after.signature).not.toBe(before.signature)
    expect(after.treeSize).toBeGreaterThanOrEqual(before.treeSize)
    expect(after.timestamp).toBeGreaterThanOrEqual(before.timestamp)
    await verifySth(after)
  })
})
