/**
 * Log shards (worker/log/shards.ts): shard names and periods; the consumer's append going to the
 * shard of acceptedAt, never twice (retries, closed shards passing new batches on, conflicts
 * across shards); the cron closing due shards into the root log; provenance records carrying the
 * shard and the root proof, verified by attest/bundle/verify-provenance.ts, with tampered shards,
 * heads and proofs refused; the ?shard= routes and GET /v1/log/shards. Shards here are of past
 * periods, each test its own, so closing them cannot touch another test's.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { env, exports } from 'cloudflare:workers'
import type { JSONWebKeySet } from 'jose'
import { describe, expect, it } from 'vitest'
import { fromHex, fromUtf8, toHex, utf8 } from '../../../attest/bytes/encoding.ts'
import { BUNDLE_FORMAT } from '../../../attest/bundle/evidence-bundle.ts'
import type { ProvenanceRecord } from '../../../attest/bundle/provenance.ts'
import { verifyProvenance, type BundleReport } from '../../../attest/bundle/verify-provenance.ts'
import { verifyConsistency } from '../../../attest/merkle/verify-consistency.ts'
import { unwrap } from '../../../worker/ledger/rpc-result.ts'
import { rootLog, shardLog } from '../../../worker/log/log-stub.ts'
import { closeDueShards, publishTreeHead } from '../../../worker/log/scheduled.ts'
import {
  isShardId,
  logObjectName,
  nextShard,
  rootKey,
  shardClosable,
  shardEnd,
  shardOf,
} from '../../../worker/log/shards.ts'
import type { ConsistencyProofResult, SignedTreeHead } from '../../../worker/log/types.ts'
import { appendToLog } from '../../../worker/sync/append-to-log.ts'
import { authHeaders } from '../helpers/auth.ts'
import { entry } from './helpers.ts'
import { codeAsync } from '../../helpers/error-code.ts'

const at = (y: number, m: number, d = 15) => Date.UTC(y, m - 1, d, 12)

async function api(path: string): Promise<Response> {
  return exports.default.fetch(`http://collector${path}`, { headers: await authHeaders('auditor') })
}

async function json<T>(path: string): Promise<T> {
  const res = await api(path)
  expect(res.status, path).toBe(200)
  return (await res.json()) as T
}

async function jwks(): Promise<JSONWebKeySet> {
  return (await (
    await exports.default.fetch('http://collector/.well-known/jwks.json')
  ).json()) as JSONWebKeySet
}

function claims(sth: SignedTreeHead): Record<string, unknown> {
  const payload = sth.signature.split('.')[1]!
  return JSON.parse(
    fromUtf8(
      Uint8Array.from(atob(payload.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)),
    ),
  )
}

describe('shard names', () => {
  it('names shards by UTC month or day and knows when each may close', () => {
    expect(shardOf(Date.UTC(2026, 11, 31, 23, 59, 59, 999), 'month')).toBe('2026-12')
    expect(shardOf(Date.UTC(2027, 0, 1), 'month')).toBe('2027-01')
    expect(shardOf(Date.UTC(2026, 11, 31, 23, 59), 'day')).toBe('2026-12-31')
    expect(nextShard('2026-12')).toBe('2027-01')
    expect(nextShard('2028-02-28')).toBe('2028-02-29')
    expect(nextShard('2026-12-31')).toBe('2027-01-01')
    expect(shardEnd('2026-02')).toBe(Date.UTC(2026, 2, 1))
    for (const ok of ['main', '2026-12', '2028-02-29']) expect(isShardId(ok), ok).toBe(true)
    for (const bad of ['root', '2026-13', '2026-00', '2026-02-30', '2026-1', 'shard:2026-12', '']) {
      expect(isShardId(bad), bad).toBe(false)
    }
    // a month shard closes a day after its end, a day shard an hour after, 'main' at once
    expect(shardClosable('2026-12', Date.UTC(2027, 0, 1, 23, 59))).toBe(false)
    expect(shardClosable('2026-12', Date.UTC(2027, 0, 2))).toBe(true)
    expect(shardClosable('2026-12-31', Date.UTC(2027, 0, 1, 0, 59))).toBe(false)
    expect(shardClosable('2026-12-31', Date.UTC(2027, 0, 1, 1))).toBe(true)
    expect(shardClosable('main', 1)).toBe(true)
    expect([logObjectName('2026-12'), logObjectName('main'), logObjectName('root')]).toEqual([
      'shard:2026-12',
      'main',
      'root',
    ])
  })
})

describe('appending to shards', () => {
  it('logs each batch in the shard of its acceptedAt, once, and registers the shard in the root', async () => {
    const a = { ...entry('s1', 0), acceptedAt: at(2019, 1) }
    const b = { ...entry('s1', 1), acceptedAt: at(2019, 2) }
    const c = { ...entry('s1', 2), acceptedAt: at(2019, 2, 28) }
    const first = await appendToLog(env, [a, b, c])
    // Each batch's index in its own shard (shards are appended concurrently: no key order).
    expect(Object.fromEntries(first)).toEqual({ [a.batchId]: 0, [b.batchId]: 0, [c.batchId]: 1 })
    expect(first.size).toBe(3)
    // a redelivered queue batch finds them where they are
    expect([...(await appendToLog(env, [c, a, b]))].sort()).toEqual([...first].sort())
    const jan = unwrap(await shardLog(env, '2019-01').shardState())
    const feb = unwrap(await shardLog(env, '2019-02').shardState())
    expect([jan.treeSize, feb.treeSize, jan.registered, feb.registered]).toEqual([1, 2, true, true])
    const sth = unwrap(await shardLog(env, '2019-02').signedTreeHead())
    expect(sth.log).toBe('2019-02')
    expect(claims(sth)).toEqual({
      treeSize: 2,
      rootHash: sth.rootHash,
      timestamp: sth.timestamp,
      log: '2019-02',
    })
    const listed = unwrap(await rootLog(env).listShards()).map((s) => s.id)
    expect(listed).toEqual(expect.arrayContaining(['2019-01', '2019-02']))
  })

  it('a closed shard keeps what it holds and passes new batches to the next shard, never twice', async () => {
    const old = { ...entry('s2', 0), acceptedAt: at(2019, 3) }
    await appendToLog(env, [old])
    const fin = unwrap(await shardLog(env, '2019-03').close())
    expect(fin).toEqual(unwrap(await shardLog(env, '2019-03').close()))
    const late = { ...entry('s2', 1), acceptedAt: at(2019, 3, 31) }
    const r1 = await appendToLog(env, [old, late])
    expect([r1.get(old.batchId), r1.get(late.batchId)]).toEqual([0, 0])
    const r2 = await appendToLog(env, [late, old])
    expect([r2.get(old.batchId), r2.get(late.batchId)]).toEqual([0, 0])
    expect(unwrap(await shardLog(env, '2019-03').shardState()).treeSize).toBe(1)
    expect(unwrap(await shardLog(env, '2019-04').shardState()).treeSize).toBe(1)
    unwrap(await shardLog(env, '2019-04').inclusionProof(late.batchId))
    // the "already logged with another bundle" guard holds across shards
    expect(await codeAsync(appendToLog(env, [{ ...old, bundleSha256: 'ee'.repeat(32) }]))).toBe(
      'ERR_LOG_CONFLICT',
    )
    expect(await codeAsync(appendToLog(env, [{ ...late, bundleSha256: 'ee'.repeat(32) }]))).toBe(
      'ERR_LOG_CONFLICT',
    )
    // a direct append of a new batch to the closed shard is refused, nothing is added
    expect(
      await codeAsync(
        shardLog(env, '2019-03')
          .append([entry('s2', 2)])
          .then(unwrap),
      ),
    ).toBe('ERR_LOG_SHARD_CLOSED')
    expect(unwrap(await shardLog(env, '2019-03').signedTreeHead())).toEqual(fin)
  })
})

/** A bundle that parses (its attestation checks fail: the log checks are what is tested). */
async function seedBundle(tag: string, acceptedAt: number, inLegacy = false) {
  const e = entry(tag, 0)
  const bundle = {
    format: BUNDLE_FORMAT,
    batchId: e.batchId,
    agentId: 'ab'.repeat(32),
    seq: 1,
    acceptedAt: new Date(acceptedAt).toISOString(),
    verdict: 'accept',
    findings: [],
    zone: null,
    cfCountry: null,
    policyVersion: 0,
    payload: 'AA',
    nonce: 'AA',
    quote: { attest: 'AA', signature: 'AA', pcrs: {} },
    ak: { public: 'AA', name: '00' },
    ek: { public: 'AA', cert: null, certSha256: null },
    binding: 'x.y.z',
    receipt: 'r.e.c',
  }
  const bytes = utf8(JSON.stringify(bundle))
  const sha = toHex(sha256(bytes))
  const key = `evidence/test/${e.batchId}.json`
  await env.EVIDENCE.put(key, bytes)
  await env.DB.prepare(
    `INSERT INTO batches (batch_id, agent_id, seq, accepted_at, collected_at, stored_at, verdict,
       lat, lon, accuracy_m, metric_count, evidence_key, bundle_sha256)
     VALUES (?, ?, 1, ?, ?, ?, 'accept', 0, 0, 1, 0, ?, ?)`,
  )
    .bind(e.batchId, bundle.agentId, acceptedAt, acceptedAt, acceptedAt, key, sha)
    .run()
  const entryOf = { batchId: e.batchId, bundleSha256: sha }
  if (inLegacy) unwrap(await shardLog(env, 'main').append([entryOf]))
  else await appendToLog(env, [{ ...entryOf, acceptedAt }])
  return e.batchId
}

async function verify(rec: unknown): Promise<BundleReport> {
  return verifyProvenance(rec, { roots: [], jwks: await jwks() })
}

function check(r: BundleReport, name: string) {
  const c = r.checks.find((x) => x.name === name)
  return c ? (c.ok ? 'ok' : c.code) : 'absent'
}

describe('provenance across shards', () => {
  it('a legacy batch of the main log keeps verifying without a shard', async () => {
    const id = await seedBundle('legacy', at(2017, 5), true)
    const rec = await json<ProvenanceRecord>(`/v1/provenance/${id}`)
    expect(rec.shard).toBeUndefined()
    expect(rec.root).toBeUndefined()
    const r = await verify(rec)
    expect([check(r, 'sth'), check(r, 'inclusion'), check(r, 'root'), r.shard]).toEqual([
      'ok',
      'ok',
      'absent',
      'main',
    ])
    // a legacy record cannot claim a shard: its head names none
    expect(check(await verify({ ...rec, shard: '2017-05' }), 'sth')).toBe('ERR_LOG_STH')
  })

  it('names the shard, adds the root proof once the shard is closed, and refuses tampering', async () => {
    const id = await seedBundle('prov', at(2018, 3))
    const open = await json<ProvenanceRecord>(`/v1/provenance/${id}`)
    expect([open.shard, open.sth.log, open.root]).toEqual(['2018-03', '2018-03', undefined])
    const r1 = await verify(open)
    expect([check(r1, 'sth'), check(r1, 'inclusion'), check(r1, 'root'), r1.shard]).toEqual([
      'ok',
      'ok',
      'absent',
      '2018-03',
    ])

    const other = await seedBundle('prov-other', at(2018, 4))
    expect(await closeDueShards(env, Date.UTC(2018, 5, 1))).toEqual(
      expect.arrayContaining(['2018-03', '2018-04']),
    )
    const closed = await json<ProvenanceRecord>(`/v1/provenance/${id}`)
    expect(closed.root).toBeDefined()
    expect(closed.root!.sth.log).toBe('root')
    const r2 = await verify(closed)
    expect([check(r2, 'sth'), check(r2, 'inclusion'), check(r2, 'root')]).toEqual([
      'ok',
      'ok',
      'ok',
    ])
    expect(r2.rootIndex).toBe(closed.root!.inclusion.index)

    const april = await json<ProvenanceRecord>(`/v1/provenance/${other}`)
    const tampered: [string, unknown, string, string][] = [
      ['wrong shard named', { ...closed, shard: '2018-04' }, 'sth', 'ERR_LOG_STH'],
      [
        'the root head as the shard head',
        { ...closed, sth: closed.root!.sth },
        'sth',
        'ERR_LOG_STH',
      ],
      [
        'a shard head as the root head',
        { ...closed, root: { ...closed.root!, sth: closed.sth } },
        'root',
        'ERR_LOG_STH',
      ],
      // a signed head of the shard taken before it closed: not the one in the root log
      ['a shard head not in the root', { ...closed, sth: open.sth }, 'root', 'ERR_LOG_PROOF'],
      [
        'the proof against another shard',
        { ...closed, shard: '2018-04', sth: april.sth },
        'inclusion',
        'ERR_LOG_PROOF',
      ],
      ['another shard root proof', { ...closed, root: april.root }, 'root', 'ERR_LOG_PROOF'],
    ]
    for (const [what, rec, name, code] of tampered) {
      const r = await verify(rec)
      expect(check(r, name), what).toBe(code)
      expect(r.ok, what).toBe(false)
    }
  })
})

describe('cron and routes', () => {
  it('closes due shards into the root log once; the routes serve each shard and the root', async () => {
    await appendToLog(env, [{ ...entry('c1', 0), acceptedAt: at(2016, 5) }])
    await appendToLog(env, [{ ...entry('c1', 1), acceptedAt: at(2016, 6) }])
    const root = rootLog(env)
    const before = unwrap(await root.signedTreeHead())
    const now = Date.UTC(2016, 5, 20)
    await publishTreeHead(env, now)
    const state = unwrap(await shardLog(env, '2016-05').shardState())
    expect(state.closed).toBe(true)
    expect(unwrap(await shardLog(env, '2016-06').shardState()).closed).toBe(false)
    // the root's leaf for the shard is the SHA-256 of its final head's JWS
    const leaf = unwrap(await root.inclusionProof(rootKey('2016-05')))
    expect(leaf.bundleSha256).toBe(toHex(sha256(utf8(state.finalSth!.signature))))
    const after = unwrap(await root.signedTreeHead())
    expect(after.treeSize).toBeGreaterThan(before.treeSize)
    await publishTreeHead(env, now)
    expect(unwrap(await root.treeHead()).treeSize).toBe(after.treeSize)

    const list = await json<{
      current: string
      root: SignedTreeHead
      shards: { id: string; closed: boolean; sth: SignedTreeHead }[]
    }>('/v1/log/shards')
    expect(list.root.log).toBe('root')
    const may = list.shards.find((s) => s.id === '2016-05')!
    expect([may.closed, may.sth]).toEqual([true, state.finalSth])
    expect(list.shards.find((s) => s.id === '2016-06')!.closed).toBe(false)
    expect(list.shards.some((s) => s.id === list.current)).toBe(true)

    expect((await json<SignedTreeHead>('/v1/log/sth?shard=2016-06')).log).toBe('2016-06')
    expect((await json<SignedTreeHead>('/v1/log/sth?shard=root')).log).toBe('root')
    const c = await json<ConsistencyProofResult>(
      `/v1/log/consistency?shard=root&from=${before.treeSize}&to=${after.treeSize}`,
    )
    expect(c.secondRoot).toBe(after.rootHash)
    verifyConsistency({
      first: c.first,
      second: c.second,
      firstRoot: fromHex(c.firstRoot),
      secondRoot: fromHex(c.secondRoot),
      path: c.path.map((h) => fromHex(h)),
    })
    const future = await api('/v1/log/sth?shard=2999-01')
    expect(future.status).toBe(404)
    for (const bad of ['2016-5', 'root2', 'shard:2016-05']) {
      const res = await api(`/v1/log/sth?shard=${bad}`)
      expect(res.status, bad).toBe(400)
      expect(((await res.json()) as { code: string }).code).toBe('ERR_INPUT_MALFORMED')
    }
  })
})
