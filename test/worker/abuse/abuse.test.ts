/**
 * Abuse resistance in workerd (docs/rate-limits.md): stateless nonces and their codes, no ledger
 * for unknown agents, the per-client refusal limit (429 + Retry-After + problem+json), aggregated anonymous
 * refusals, strict JSON against `__proto__`, role tokens issued in the future, development trust
 * refused in production. The same behaviour through real HTTP with swtpm agents is in
 * test/node/abuse-swtpm.test.ts.
 */
import { env, exports } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { fromB64url, toB64url } from '../../../attest/bytes/encoding.ts'
import { validate } from '../../../attest/json/schema.ts'
import { insertDecisions, type Decision } from '../../../worker/audit/record-decision.ts'
import { verifyAccessToken } from '../../../worker/auth/verify-access-token.ts'
import { BatchBody } from '../../../worker/ingest/verify-batch.ts'
import { checkNonce, issueNonce } from '../../../worker/ledger/stateless-nonce.ts'
import { bindings, mint } from '../auth/mint.ts'
import { ledgerExists, resetState } from '../helpers/reset.ts'
import { code } from '../../helpers/error-code.ts'

const A = 'a1'.repeat(32)
const B = 'b2'.repeat(32)

describe('stateless nonces', () => {
  it('verify for the agent they were issued to, until they expire', () => {
    const now = Date.now()
    const n = issueNonce(env, A, 60, now)
    expect(fromB64url(n.nonce)).toHaveLength(32)
    expect(n.expiresAt).toBe(now + 60_000)
    expect(checkNonce(env, A, fromB64url(n.nonce), now + 59_999)).toBe(n.expiresAt)
    expect(code(() => checkNonce(env, A, fromB64url(n.nonce), now + 60_000))).toBe(
      'ERR_NONCE_EXPIRED',
    )
    expect(code(() => checkNonce(env, B, fromB64url(n.nonce), now))).toBe('ERR_NONCE_UNKNOWN')
  })

  it('refuse altered bytes, a foreign key and random bytes as unknown; cap the lifetime at 120 s', () => {
    const now = Date.now()
    const n = fromB64url(issueNonce(env, A, 60, now).nonce)
    for (const i of [0, 5, 12, 31]) {
      const t = n.slice()
      t[i] = t[i]! ^ 0x40
      expect(
        code(() => checkNonce(env, A, t, now)),
        `byte ${i}`,
      ).toBe('ERR_NONCE_UNKNOWN')
    }
    const foreign = { COLLECTOR_SIGNING_JWKS: '{"keys":[{"kid":"other"}]}' }
    expect(code(() => checkNonce(foreign, A, n, now))).toBe('ERR_NONCE_UNKNOWN')
    expect(code(() => checkNonce(env, A, crypto.getRandomValues(new Uint8Array(32)), now))).toBe(
      'ERR_NONCE_UNKNOWN',
    )
    expect(issueNonce(env, A, 3600, now).expiresAt).toBe(now + 120_000)
  })

  it('are all different (nothing about them is stored to deduplicate)', () => {
    const seen = new Set(Array.from({ length: 500 }, () => issueNonce(env, A, 60).nonce))
    expect(seen.size).toBe(500)
  })
})

async function get(path: string, client: string): Promise<Response> {
  return exports.default.fetch(`http://collector${path}`, {
    headers: { 'cf-connecting-ip': client },
  })
}

async function post(path: string, body: string, client: string): Promise<Response> {
  return exports.default.fetch(`http://collector${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': client },
    body,
  })
}

describe('unknown agents', () => {
  beforeEach(() => resetState())

  it('cost no ledger: nonce and batches for random agentIds answer ERR_AGENT_UNKNOWN', async () => {
    const ids = Array.from({ length: 10 }, () =>
      [...crypto.getRandomValues(new Uint8Array(32))]
        .map((b) => b.toString(16).padStart(2, '0'))
        .join(''),
    )
    for (const [i, id] of ids.entries()) {
      const client = `198.51.100.${i}`
      const n = await get(`/v1/agents/${id}/nonce`, client)
      expect(n.status).toBe(404)
      expect(((await n.json()) as { code: string }).code).toBe('ERR_AGENT_UNKNOWN')
      const b = await post(
        `/v1/agents/${id}/batches`,
        JSON.stringify({ payload: 'AA', nonce: 'AA', quote: {} }),
        client,
      )
      expect(((await b.json()) as { code: string }).code).toBe('ERR_AGENT_UNKNOWN')
    }
    for (const id of ids) expect(await ledgerExists(id)).toBe(false)
  })
})

describe('per-client refusal limit', () => {
  beforeEach(() => resetState())

  it('answers 429 with Retry-After after the limit of refusals; other clients are not affected', async () => {
    const client = `203.0.113.${Math.floor(Math.random() * 250)}`
    const statuses: number[] = []
    let limited: Response | undefined
    for (let i = 0; i < 210 && !limited; i++) {
      const r = await post('/v1/enroll', '{"garbage":true}', client)
      statuses.push(r.status)
      if (r.status === 429) limited = r
    }
    // [env.dev] RATE_LIMIT_CLIENT: 200 refusals per minute.
    expect(statuses.slice(0, 200).every((s) => s === 400)).toBe(true)
    expect(limited).toBeDefined()
    expect(limited!.headers.get('content-type')).toBe('application/problem+json')
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0)
    const body = (await limited!.json()) as { code: string; status: number; scope: string }
    expect(body).toMatchObject({ code: 'ERR_RATE_LIMITED', status: 429, scope: 'client' })
    // Blocked before any work: even a well-formed route answers 429 for this client.
    expect((await get(`/v1/agents/${A}/nonce`, client)).status).toBe(429)
    const other = await post('/v1/enroll', '{"garbage":true}', '192.0.2.77')
    expect(other.status).toBe(400)
  })
})

describe('aggregated anonymous refusals', () => {
  beforeEach(() => resetState())

  const base: Decision = {
    at: Date.UTC(2026, 0, 1, 12, 0, 5),
    kind: 'enroll',
    agentId: null,
    batchId: null,
    verdict: 'reject',
    code: 'ERR_INPUT_MALFORMED',
    zone: null,
    cfCountry: null,
    verifyMs: null,
    detail: null,
  }

  it('count per minute, kind, code, agent and client; enrolled agents keep one row each', async () => {
    const anon = (over: Partial<Decision>): Decision => ({
      ...base,
      aggregate: { client: '203.0.113.9' },
      ...over,
    })
    await insertDecisions(env.DB, [
      ...Array.from({ length: 5 }, (_, i) => anon({ at: base.at + i * 1000 })),
      anon({ at: base.at + 60_000 }),
      anon({ aggregate: { client: '203.0.113.10' } }),
      anon({ code: 'ERR_AGENT_UNKNOWN' }),
      { ...base, kind: 'batch', agentId: A, code: 'ERR_GEO_OUTSIDE' },
      { ...base, kind: 'batch', agentId: A, code: 'ERR_GEO_OUTSIDE' },
    ])
    const rows = (
      await env.DB.prepare(
        'SELECT minute, code, client, count, first_at, last_at FROM refusals ORDER BY minute, client, code',
      ).all()
    ).results
    const minute = Math.floor(base.at / 60_000)
    expect(rows).toEqual([
      {
        minute,
        code: 'ERR_INPUT_MALFORMED',
        client: '203.0.113.10',
        count: 1,
        first_at: base.at,
        last_at: base.at,
      },
      {
        minute,
        code: 'ERR_AGENT_UNKNOWN',
        client: '203.0.113.9',
        count: 1,
        first_at: base.at,
        last_at: base.at,
      },
      {
        minute,
        code: 'ERR_INPUT_MALFORMED',
        client: '203.0.113.9',
        count: 5,
        first_at: base.at,
        last_at: base.at + 4000,
      },
      {
        minute: minute + 1,
        code: 'ERR_INPUT_MALFORMED',
        client: '203.0.113.9',
        count: 1,
        first_at: base.at + 60_000,
        last_at: base.at + 60_000,
      },
    ])
    const decisions = await env.DB.prepare('SELECT count(*) AS n FROM decisions').first<{
      n: number
    }>()
    expect(decisions!.n).toBe(2)
    // and only theirs are counted for /metrics: anonymous refusals add no counter row
    expect(
      (await env.DB.prepare('SELECT kind, verdict, code, n FROM decision_totals').all()).results,
    ).toEqual([{ kind: 'batch', verdict: 'reject', code: 'ERR_GEO_OUTSIDE', n: 2 }])
    // Auditors read them at GET /v1/refusals; viewers may not.
    const url = 'http://collector/v1/refusals?client=203.0.113.9&code=ERR_INPUT_MALFORMED'
    const as = async (role: string) =>
      exports.default.fetch(url, {
        headers: { authorization: `Bearer ${await mint({ roles: [role] })}` },
      })
    expect((await as('viewer')).status).toBe(403)
    const res = await as('auditor')
    expect(res.status).toBe(200)
    const body = (await res.json()) as {
      refusals: { minute: string; count: number; agentId: string | null }[]
    }
    expect(body.refusals.map((r) => [r.minute, r.count, r.agentId])).toEqual([
      [new Date((minute + 1) * 60_000).toISOString(), 1, null],
      [new Date(minute * 60_000).toISOString(), 5, null],
    ])
  })
})

describe('strict JSON', () => {
  it('refuses a __proto__ member at the top level and inside the quote', () => {
    const ok = {
      payload: 'AAAA',
      nonce: toB64url(new Uint8Array(32)),
      quote: { attest: 'AAAA', signature: 'AAAA', pcrs: {} },
    }
    const top = JSON.parse(JSON.stringify(ok).replace('{', '{"__proto__":{"x":1},'))
    const inner = JSON.parse(JSON.stringify(ok).replace('"quote":{', '"quote":{"__proto__":1,'))
    expect(Object.hasOwn(top, '__proto__')).toBe(true)
    for (const raw of [top, inner]) {
      let err: { code?: string; detail?: { path?: string } } | undefined
      try {
        validate(raw, BatchBody)
      } catch (e) {
        err = e as typeof err
      }
      expect(err?.code).toBe('ERR_INPUT_MALFORMED')
      expect(err?.detail?.path).toMatch(/__proto__$/)
    }
  })
})

describe('role tokens', () => {
  const dev = { ...bindings, ENVIRONMENT: 'test' }

  it('refuses a token issued beyond the clock tolerance in the future', async () => {
    const now = Math.floor(Date.now() / 1000)
    await expect(
      verifyAccessToken(dev, await mint({ roles: ['viewer'], claims: { iat: now + 10 } })),
    ).resolves.toMatchObject({ sub: 'test-user' })
    await expect(
      verifyAccessToken(dev, await mint({ roles: ['viewer'], claims: { iat: now + 3600 } })),
    ).rejects.toMatchObject({
      code: 'ERR_AUTH_INVALID',
      detail: { reason: 'not_yet_valid' },
    })
  })

  it('never trusts the development issuer or keys when ENVIRONMENT is production', async () => {
    const token = await mint({ roles: ['operator'] })
    await expect(verifyAccessToken(dev, token)).resolves.toMatchObject({
      roles: ['operator'],
    })
    // Exactly what plain `wrangler dev` used to run with: production vars plus .dev.vars keys.
    const prod = { ...bindings, ENVIRONMENT: 'production' }
    await expect(verifyAccessToken(prod, token)).rejects.toMatchObject({
      code: 'ERR_AUTH_INVALID',
    })
    // Even with an operator-chosen issuer, a dev-* key is not trusted in production.
    const own = await mint({
      roles: ['operator'],
      claims: { iss: 'https://team.example' },
    })
    await expect(
      verifyAccessToken({ ...prod, ACCESS_ISSUER: 'https://team.example' }, own),
    ).rejects.toMatchObject({
      code: 'ERR_AUTH_INVALID',
      detail: { reason: 'unknown_key' },
    })
  })
})
