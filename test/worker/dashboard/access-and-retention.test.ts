/**
 * Role checks on the auditor and viewer APIs (no token, wrong role, expired token, untrusted
 * issuer or key -> 401/403, the right role -> 200), aggregates re-bucketing, and retention.
 */
import { env, exports } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { applyRetention } from '../../../worker/dashboard/retention.ts'
import { mint } from '../auth/mint.ts'
import { resetState } from '../helpers/reset.ts'

const get = (path: string, token?: string) =>
  exports.default.fetch(
    `http://collector${path}`,
    token ? { headers: { authorization: `Bearer ${token}` } } : {},
  )

async function otherKey() {
  const kp = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair
  return { kid: 'dev-admin-1', key: kp.privateKey, alg: 'ES256' }
}

describe('access to auditor and viewer APIs', () => {
  beforeEach(() => resetState())
  const routes: [string, 'auditor' | 'viewer'][] = [
    [`/v1/provenance/${'ab'.repeat(32)}`, 'auditor'],
    ['/v1/log/sth', 'auditor'],
    ['/v1/decisions', 'auditor'],
    ['/v1/aggregates?metric=cpu.utilization', 'viewer'],
    ['/v1/agents/summary', 'viewer'],
    ['/metrics', 'viewer'],
  ]
  for (const [path, role] of routes) {
    it(`${path} needs the ${role} role`, async () => {
      const expectCode = async (r: Response, status: number, code: string) => {
        expect([r.status, ((await r.json()) as { code: string }).code]).toEqual([status, code])
      }
      await expectCode(await get(path), 401, 'ERR_AUTH_MISSING')
      await expectCode(
        await get(path, await mint({ roles: [role], exp: -120 })),
        401,
        'ERR_AUTH_INVALID',
      )
      await expectCode(
        await get(path, await mint({ roles: [role], claims: { iss: 'https://evil.example' } })),
        401,
        'ERR_AUTH_INVALID',
      )
      await expectCode(
        await get(path, await mint({ roles: [role], key: await otherKey() })),
        401,
        'ERR_AUTH_INVALID',
      )
      if (role === 'auditor')
        await expectCode(
          await get(path, await mint({ roles: ['viewer'] })),
          403,
          'ERR_AUTH_FORBIDDEN',
        )
      const ok = await get(path, await mint({ roles: [role] }))
      // provenance of an unknown batch is a 404 once authorised
      expect(ok.status).toBe(path.startsWith('/v1/provenance') ? 404 : 200)
    })
  }
})

describe('aggregates and retention', () => {
  beforeEach(() => resetState())
  const A = 'cd'.repeat(32)

  async function seedRollups(
    rows: [minute: number, count: number, sum: number, min: number, max: number][],
  ) {
    await env.DB.batch(
      rows.map(([m, c, s, mn, mx]) =>
        // another metric in the same bucket must not leak into temp.c
        env.DB.prepare(
          'INSERT INTO rollups (minute, zone, agent_id, metrics) VALUES (?, ?, ?, ?)',
        ).bind(
          m,
          'z1',
          A,
          JSON.stringify({ 'temp.c': [c, s, mn, mx], 'cpu.load1': [1, 1000, 1000, 1000] }),
        ),
      ),
    )
  }

  it('re-buckets per-minute rollups into the requested step', async () => {
    const base = 29_000_000 - (29_000_000 % 5)
    await seedRollups([
      [base, 2, 20, 9, 11],
      [base + 1, 1, 30, 30, 30],
      [base + 5, 4, 8, 1, 3],
    ])
    const r = await get(
      `/v1/aggregates?metric=temp.c&step=5m&from=${base * 60_000}&to=${(base + 9) * 60_000}`,
      await mint({ roles: ['viewer'] }),
    )
    const body = (await r.json()) as {
      points: { t: string; count: number; sum: number; min: number; max: number; avg: number }[]
    }
    expect(
      body.points.map(({ t, count, sum, min, max, avg }) => ({ t, count, sum, min, max, avg })),
    ).toEqual([
      { t: new Date(base * 60_000).toISOString(), count: 3, sum: 50, min: 9, max: 30, avg: 50 / 3 },
      { t: new Date((base + 5) * 60_000).toISOString(), count: 4, sum: 8, min: 1, max: 3, avg: 2 },
    ])
    expect((body as { unit?: unknown }).unit).toBeNull() // no stored point says it
    const bad = await get(
      '/v1/aggregates?metric=temp.c&step=90s',
      await mint({ roles: ['viewer'] }),
    )
    expect(((await bad.json()) as { code: string }).code).toBe('ERR_INPUT_MALFORMED')
  })

  it('gives the metric unit a rollup in the range carries', async () => {
    const base = 29_000_000
    await seedRollups([[base, 1, 5, 5, 5]])
    await env.DB.prepare(
      'INSERT INTO rollups (minute, zone, agent_id, metrics) VALUES (?, ?, ?, ?)',
    )
      .bind(base + 1, 'z2', A, JSON.stringify({ 'temp.c': [1, 6, 6, 6, 'Cel'] }))
      .run()
    const viewer = await mint({ roles: ['viewer'] })
    const inRange = await get(
      `/v1/aggregates?metric=temp.c&from=${base * 60_000}&to=${(base + 5) * 60_000}`,
      viewer,
    )
    expect(((await inRange.json()) as { unit: string | null }).unit).toBe('Cel')
    const other = await get(
      `/v1/aggregates?metric=cpu.utilization&from=${base * 60_000}&to=${(base + 5) * 60_000}`,
      viewer,
    )
    expect(((await other.json()) as { unit: string | null }).unit).toBeNull()
  })

  it('deletes rollups, decisions and refusals older than their retention', async () => {
    const now = Date.UTC(2026, 10, 22)
    const day = 86_400_000
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO decisions (at, kind, verdict) VALUES (?, 'batch', 'reject')",
      ).bind(now - 401 * day),
      env.DB.prepare(
        "INSERT INTO decisions (at, kind, verdict) VALUES (?, 'batch', 'reject')",
      ).bind(now - day),
      ...[401, 1].map((d) =>
        env.DB.prepare(
          "INSERT INTO refusals (minute, kind, code, count, first_at, last_at) VALUES (?, 'nonce', 'ERR_AGENT_UNKNOWN', 3, ?, ?)",
        ).bind(Math.floor((now - d * day) / 60_000), now - d * day, now - d * day),
      ),
    ])
    await seedRollups([
      [Math.floor((now - 401 * day) / 60_000), 1, 1, 1, 1],
      [Math.floor((now - 399 * day) / 60_000), 1, 1, 1, 1],
    ])
    expect(await applyRetention(env, now)).toEqual({ rollups: 1, decisions: 1, refusals: 1 })
    expect(await applyRetention({ ...env, ROLLUP_RETENTION_DAYS: '7' } as never, now)).toEqual({
      rollups: 1,
      decisions: 0,
      refusals: 0,
    })
  })
})
