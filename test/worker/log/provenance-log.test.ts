/**
 * The ProvenanceLog Durable Object in workerd: appends in any grouping give the RFC 9162 root of
 * all leaves; re-appending a batch is idempotent and a different bundle for it is refused without
 * effect; every inclusion and consistency proof it serves verifies with attest/merkle against its
 * own signed tree heads; STHs are cached, refreshed, and verify with jose against the JWKS; the
 * stored subtree nodes are exactly the complete subtrees.
 */
import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose'
import { describe, expect, it } from 'vitest'
import { fromHex, fromUtf8, toHex } from '../../../attest/bytes/encoding.ts'
import { rootFromLeaves } from '../../../attest/merkle/root-from-leaves.ts'
import { verifyConsistency } from '../../../attest/merkle/verify-consistency.ts'
import { verifyInclusion } from '../../../attest/merkle/verify-inclusion.ts'
import { unwrap, type RpcResult } from '../../../worker/ledger/rpc-result.ts'
import { MAX_APPEND, type ProvenanceLog } from '../../../worker/log/provenance-log.ts'
import type { SignedTreeHead } from '../../../worker/log/types.ts'
import { TREE_HEAD_TYP } from '../../../worker/tokens/sign-tree-head.ts'
import { appendAll, bytes, entries, entry, freshLog, leafOf } from './helpers.ts'

function code<T>(r: RpcResult<T>): string {
  return r.ok ? 'ok' : r.error.code
}

async function verifySth(sth: SignedTreeHead) {
  const res = await exports.default.fetch('http://collector/.well-known/jwks.json')
  expect(res.status).toBe(200)
  const jwks = createLocalJWKSet((await res.json()) as JSONWebKeySet)
  const { payload, protectedHeader } = await compactVerify(sth.signature, jwks)
  expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: TREE_HEAD_TYP })
  expect(JSON.parse(fromUtf8(payload))).toEqual({
    treeSize: sth.treeSize,
    rootHash: sth.rootHash,
    timestamp: sth.timestamp,
  })
}

describe('ProvenanceLog append', () => {
  it('starts empty with the empty tree hash', async () => {
    const head = unwrap(await freshLog().treeHead())
    expect(head.treeSize).toBe(0)
    expect(head.rootHash).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })

  it('gives the root of all leaves whatever the grouping of the calls', async () => {
    const all = entries('grouping', 0, 45)
    const cuts = [0, 1, 2, 3, 7, 8, 16, 17, 31, 32, 33, 45]
    const log = freshLog()
    for (let c = 1; c < cuts.length; c++) {
      const part = all.slice(cuts[c - 1], cuts[c])
      const got = await appendAll(log, part)
      expect(got).toEqual(part.map((e, k) => ({ batchId: e.batchId, index: cuts[c - 1]! + k })))
      const head = unwrap(await log.treeHead())
      expect(head.treeSize).toBe(cuts[c])
      expect(head.rootHash).toBe(toHex(rootFromLeaves(all.slice(0, cuts[c]).map(leafOf))))
    }
    // One big call lands on the same tree.
    const once = freshLog()
    await appendAll(once, all)
    expect(unwrap(await once.treeHead()).rootHash).toBe(unwrap(await log.treeHead()).rootHash)
  })

  it('is idempotent by batchId, within a call and across calls', async () => {
    const log = freshLog()
    const es = entries('idem', 0, 5)
    await appendAll(log, es)
    const root = unwrap(await log.treeHead()).rootHash
    const again = await appendAll(log, [es[3]!, entry('idem', 5), es[0]!, entry('idem', 5)])
    expect(again).toEqual([
      { batchId: es[3]!.batchId, index: 3 },
      { batchId: entry('idem', 5).batchId, index: 5 },
      { batchId: es[0]!.batchId, index: 0 },
      { batchId: entry('idem', 5).batchId, index: 5 },
    ])
    const head = unwrap(await log.treeHead())
    expect(head.treeSize).toBe(6)
    expect(head.rootHash).toBe(toHex(rootFromLeaves(entries('idem', 0, 6).map(leafOf))))
    expect(head.rootHash).not.toBe(root)
  })

  it('refuses a logged batch with another bundle hash, and applies nothing of that call', async () => {
    const log = freshLog()
    await appendAll(log, entries('conflict', 0, 3))
    const before = unwrap(await log.treeHead())
    const clash = { batchId: entry('conflict', 1).batchId, bundleSha256: 'ab'.repeat(32) }
    const r = await log.append([entry('conflict', 3), clash])
    expect(code(r)).toBe('ERR_LOG_CONFLICT')
    const after = unwrap(await log.treeHead())
    expect(after.treeSize).toBe(before.treeSize)
    expect(after.rootHash).toBe(before.rootHash)
  })

  it('refuses malformed entries and oversized calls', async () => {
    const log = freshLog()
    const good = entry('bad', 0)
    for (const bad of [
      { ...good, batchId: good.batchId.toUpperCase() },
      { ...good, batchId: good.batchId.slice(2) },
      { ...good, bundleSha256: 'zz'.repeat(32) },
      { ...good, bundleSha256: undefined },
      null,
    ]) {
      expect(code(await log.append([good, bad as never]))).toBe('ERR_INPUT_MALFORMED')
    }
    expect(code(await log.append('nope' as never))).toBe('ERR_INPUT_MALFORMED')
    expect(code(await log.append(entries('big', 0, MAX_APPEND + 1)))).toBe('ERR_INPUT_TOO_LARGE')
    expect(unwrap(await log.treeHead()).treeSize).toBe(0)
    expect(unwrap(await log.append([]))).toEqual([])
  })

  it('stores exactly the complete subtrees, each with its RFC 9162 hash', async () => {
    const log = freshLog()
    const es = entries('nodes', 0, 27)
    await appendAll(log, es.slice(0, 10))
    await appendAll(log, es.slice(10))
    const leaves = es.map(leafOf)
    const stub = log as unknown as DurableObjectStub<ProvenanceLog>
    const rows = await runInDurableObject(stub, (_o, state) =>
      state.storage.sql
        .exec<{ level: number; idx: number; hash: ArrayBuffer }>(
          'SELECT level, idx, hash FROM nodes ORDER BY level, idx',
        )
        .toArray()
        .map((r) => ({ level: r.level, idx: r.idx, hash: toHex(new Uint8Array(r.hash)) })),
    )
    const want: { level: number; idx: number; hash: string }[] = []
    for (let level = 1; 2 ** level <= leaves.length; level++) {
      const w = 2 ** level
      for (let idx = 0; (idx + 1) * w <= leaves.length; idx++) {
        want.push({ level, idx, hash: toHex(rootFromLeaves(leaves.slice(idx * w, (idx + 1) * w))) })
      }
    }
    expect(rows).toEqual(want)
  })
})

describe('ProvenanceLog proofs', () => {
  it('serves an inclusion proof for every index of a 100-leaf log that verifies against its STH', async () => {
    const log = freshLog()
    const es = entries('incl', 0, 100)
    await appendAll(log, es.slice(0, 64))
    await appendAll(log, es.slice(64))
    const sth = unwrap(await log.signedTreeHead())
    expect(sth.treeSize).toBe(100)
    await verifySth(sth)
    for (let i = 0; i < es.length; i++) {
      const key = i % 2 === 0 ? es[i]!.batchId : i
      const p = unwrap(await log.inclusionProof(key, sth.treeSize))
      expect(p).toMatchObject({
        batchId: es[i]!.batchId,
        bundleSha256: es[i]!.bundleSha256,
        index: i,
        treeSize: 100,
        leafHash: toHex(leafOf(es[i]!)),
        rootHash: sth.rootHash,
      })
      verifyInclusion({
        leafHash: leafOf(es[i]!),
        index: p.index,
        treeSize: sth.treeSize,
        path: bytes(p.path),
        root: fromHex(sth.rootHash),
      })
      // The same path does not prove any other leaf there.
      expect(() =>
        verifyInclusion({
          leafHash: leafOf(es[(i + 1) % 100]!),
          index: p.index,
          treeSize: sth.treeSize,
          path: bytes(p.path),
          root: fromHex(sth.rootHash),
        }),
      ).toThrowError(expect.objectContaining({ code: 'ERR_LOG_PROOF' }))
    }
  })

  it('proves inclusion in an earlier tree size, and refuses sizes that do not hold the leaf', async () => {
    const log = freshLog()
    const es = entries('earlier', 0, 20)
    await appendAll(log, es)
    const p = unwrap(await log.inclusionProof(es[5]!.batchId, 9))
    expect(p.rootHash).toBe(toHex(rootFromLeaves(es.slice(0, 9).map(leafOf))))
    verifyInclusion({
      leafHash: leafOf(es[5]!),
      index: 5,
      treeSize: 9,
      path: bytes(p.path),
      root: fromHex(p.rootHash),
    })
    expect(unwrap(await log.inclusionProof(es[5]!.batchId)).treeSize).toBe(20)
    expect(code(await log.inclusionProof(es[5]!.batchId, 5))).toBe('ERR_INPUT_MALFORMED')
    expect(code(await log.inclusionProof(es[5]!.batchId, 21))).toBe('ERR_INPUT_MALFORMED')
    expect(code(await log.inclusionProof(es[5]!.batchId, -1))).toBe('ERR_INPUT_MALFORMED')
    expect(code(await log.inclusionProof(es[5]!.batchId, 1.5))).toBe('ERR_INPUT_MALFORMED')
    expect(code(await log.inclusionProof(entry('earlier', 99).batchId))).toBe('ERR_NOT_FOUND')
    expect(code(await log.inclusionProof(20))).toBe('ERR_NOT_FOUND')
    expect(code(await log.inclusionProof('not-a-batch-id'))).toBe('ERR_INPUT_MALFORMED')
    expect(code(await log.inclusionProof(-1))).toBe('ERR_INPUT_MALFORMED')
  })

  it('serves consistency proofs between two STHs and from every earlier size', async () => {
    const log = freshLog()
    const es = entries('cons', 0, 100)
    await appendAll(log, es.slice(0, 37))
    const first = unwrap(await log.signedTreeHead())
    await appendAll(log, es.slice(37))
    const second = unwrap(await log.signedTreeHead())
    expect([first.treeSize, second.treeSize]).toEqual([37, 100])
    await verifySth(first)
    await verifySth(second)
    const p = unwrap(await log.consistencyProof(first.treeSize, second.treeSize))
    expect(p.firstRoot).toBe(first.rootHash)
    expect(p.secondRoot).toBe(second.rootHash)
    verifyConsistency({
      first: first.treeSize,
      second: second.treeSize,
      firstRoot: fromHex(first.rootHash),
      secondRoot: fromHex(second.rootHash),
      path: bytes(p.path),
    })
    const roots = [toHex(rootFromLeaves([]))]
    for (let m = 1; m <= 100; m++) roots.push(toHex(rootFromLeaves(es.slice(0, m).map(leafOf))))
    for (let m = 0; m <= 100; m++) {
      const q = unwrap(await log.consistencyProof(m, 100))
      expect(q.firstRoot, `root of ${m}`).toBe(roots[m])
      verifyConsistency({
        first: m,
        second: 100,
        firstRoot: fromHex(roots[m]!),
        secondRoot: fromHex(second.rootHash),
        path: bytes(q.path),
      })
    }
    for (const [a, b] of [
      [5, 101],
      [6, 5],
      [-1, 5],
      [1.5, 5],
    ] as const) {
      expect(code(await log.consistencyProof(a, b))).toBe('ERR_INPUT_MALFORMED')
    }
  })
})

describe('ProvenanceLog signed tree heads', () => {
  it('caches the STH until the tree grows; publishing signs a fresh one', async () => {
    const log = freshLog()
    const empty = unwrap(await log.signedTreeHead())
    expect(empty.treeSize).toBe(0)
    await verifySth(empty)
    await appendAll(log, entries('sth', 0, 3))
    const a = unwrap(await log.signedTreeHead())
    const b = unwrap(await log.signedTreeHead())
    expect(a.treeSize).toBe(3)
    expect(b).toEqual(a)
    await new Promise((r) => setTimeout(r, 5))
    const c = unwrap(await log.publishTreeHead())
    expect(c.treeSize).toBe(3)
    expect(c.rootHash).toBe(a.rootHash)
    expect(c.signature).not.toBe(a.signature)
    expect(c.timestamp).toBeGreaterThanOrEqual(a.timestamp)
    await verifySth(c)
    expect(unwrap(await log.signedTreeHead())).toEqual(c)
    await appendAll(log, entries('sth', 3, 4))
    const d = unwrap(await log.signedTreeHead())
    expect(d.treeSize).toBe(4)
    expect(d.timestamp).toBeGreaterThanOrEqual(c.timestamp)
    await verifySth(d)
  })

  it('keeps the leaves across an eviction: a new instance answers from storage', async () => {
    const log = freshLog()
    await appendAll(log, entries('evict', 0, 11))
    const before = unwrap(await log.signedTreeHead())
    await evictDurableObject(log as unknown as DurableObjectStub)
    expect(unwrap(await log.signedTreeHead())).toEqual(before)
    expect(unwrap(await log.append([entry('evict', 11)]))).toEqual([
      { batchId: entry('evict', 11).batchId, index: 11 },
    ])
    expect(unwrap(await log.treeHead()).rootHash).toBe(
      toHex(rootFromLeaves(entries('evict', 0, 12).map(leafOf))),
    )
  })
})

// Keep the binding honest: the wrangler config names this class.
it('is bound as PROVENANCE_LOG', () => {
  expect(env.PROVENANCE_LOG).toBeDefined()
})
