/**
 * worker/dashboard/fleet.ts in workerd: /v1/me, /v1/fleet (status, last batch with its fix, last
 * rejection), /v1/fleet/metrics and /v1/fleet/rejections against D1 rows written here, and each
 * route's role guard. (This pool calls the worker directly, without the static-assets router;
 * test/e2e checks that API paths still reach the worker under wrangler dev.)
 */
import { env, exports } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { mint } from '../auth/mint.ts'
import { authHeaders } from '../helpers/auth.ts'
import { resetState } from '../helpers/reset.ts'

const A = 'a'.repeat(64)
const B = 'b'.repeat(64)
const C = 'c'.repeat(64)
const T0 = Date.UTC(2026, 10, 1, 12, 0, 0)

const get = async (path: string, role?: 'operator' | 'auditor' | 'viewer') =>
  exports.default.fetch(`http://collector${path}`, { headers: role ? await authHeaders(role) : {} })

async function agent(id: string, status: 'active' | 'revoked', zones: string[]) {
  await env.DB.prepare(
    `INSERT INTO agents (agent_id, status, ek_public, ak_public, ak_name, sensor_id, sensor_firmware, zones, enrolled_at)
     VALUES (?1, ?2, 'ek', 'ak', '000b', 'gnss:1', '1.0', ?3, ?4)`,
  )
    .bind(id, status, JSON.stringify(zones), T0)
    .run()
}

async function batch(agentId: string, seq: number, at: number, lat: number, lon: number) {
  const batchId = (agentId.slice(0, 1) + seq.toString(16)).padEnd(64, '0')
  await env.DB.prepare(
    `INSERT INTO batches (batch_id, agent_id, seq, accepted_at, collected_at, stored_at, verdict, zone, lat, lon, accuracy_m,
                          metric_count, evidence_key, bundle_sha256)
     VALUES (?1, ?2, ?3, ?4, ?4, ?4, 'accept', 'paris', ?5, ?6, 10, 1, 'k', ?7)`,
  )
    .bind(batchId, agentId, seq, at, lat, lon, '00'.repeat(32))
    .run()
  // and its count, as the consumer keeps it (worker/store/totals.ts)
  await env.DB.prepare(
    `INSERT INTO agent_totals (agent_id, batches) VALUES (?1, 1)
     ON CONFLICT (agent_id) DO UPDATE SET batches = batches + 1`,
  )
    .bind(agentId)
    .run()
  return batchId
}

async function decision(
  agentId: string,
  at: number,
  verdict: 'accept' | 'reject',
  code: string | null,
  detail: Record<string, unknown> | null = null,
) {
  await env.DB.prepare(
    `INSERT INTO decisions (at, kind, agent_id, verdict, code, detail) VALUES (?1, 'batch', ?2, ?3, ?4, ?5)`,
  )
    .bind(at, agentId, verdict, code, detail ? JSON.stringify(detail) : null)
    .run()
}

async function rollup(metric: string, minute: number) {
  await env.DB.prepare(
    `INSERT INTO rollups (minute, zone, agent_id, metrics) VALUES (?1, 'paris', ?2, json_object(?3, json('[1, 1, 1, 1]')))
     ON CONFLICT DO UPDATE SET metrics = json_set(metrics, '$."' || ?3 || '"', json('[1, 1, 1, 1]'))`,
  )
    .bind(minute, A, metric)
    .run()
  // and its name, as the consumer keeps it (worker/store/totals.ts)
  await env.DB.prepare(
    `INSERT INTO metric_names (name, last_minute) VALUES (?1, ?2)
     ON CONFLICT (name) DO UPDATE SET last_minute = MAX(last_minute, excluded.last_minute)`,
  )
    .bind(metric, minute)
    .run()
}

describe('fleet routes', () => {
  beforeEach(async () => {
    await resetState()
  })

  it('GET /v1/me returns the verified principal for any role and refuses without a token', async () => {
    const token = await mint({
      roles: ['auditor', 'nonsense'],
      claims: { sub: 'alice@example.com' },
    })
    const r = await exports.default.fetch('http://collector/v1/me', {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(r.status).toBe(200)
    expect(r.headers.get('cache-control')).toBe('no-store')
    expect(await r.json()).toMatchObject({ sub: 'alice@example.com', roles: ['auditor'] })
    const none = await get('/v1/me')
    expect([none.status, ((await none.json()) as { code: string }).code]).toEqual([
      401,
      'ERR_AUTH_MISSING',
    ])
  })

  it('GET /v1/fleet gives each agent its status, latest batch with its fix, and last rejection', async () => {
    await agent(A, 'active', ['paris'])
    await agent(B, 'active', ['paris'])
    await agent(C, 'revoked', [])
    await batch(A, 1, T0 + 1000, 48.85, 2.35)
    const lastA = await batch(A, 2, T0 + 2000, 48.86, 2.36)
    await decision(A, T0 + 500, 'reject', 'ERR_NONCE_EXPIRED') // older than A's last batch: A is active
    await batch(B, 1, T0 + 1000, 48.85, 2.35)
    // newer than B's last batch: failing; the geofence refusal recorded the fix B reported
    await decision(B, T0 + 3000, 'reject', 'ERR_GEO_OUTSIDE', {
      fix: { lat: 52.52, lon: 13.405, accuracyM: 10 },
      nearest: { zone: 'paris', distanceM: 877_000 },
    })
    const r = await get('/v1/fleet', 'viewer')
    expect(r.status).toBe(200)
    const { agents } = (await r.json()) as { agents: Record<string, unknown>[] }
    expect(agents.map((a) => [a.agentId, a.status])).toEqual([
      [A, 'active'],
      [B, 'failing'],
      [C, 'revoked'],
    ])
    expect(agents[0]).toMatchObject({
      zones: ['paris'],
      batches: 2,
      lastBatch: {
        batchId: lastA,
        seq: 2,
        zone: 'paris',
        acceptedAt: new Date(T0 + 2000).toISOString(),
        fix: { lat: 48.86, lon: 2.36, accuracyM: 10 },
      },
      lastRejection: { code: 'ERR_NONCE_EXPIRED', at: new Date(T0 + 500).toISOString() },
    })
    expect(agents[1]).toMatchObject({
      lastRejection: { code: 'ERR_GEO_OUTSIDE', fix: { lat: 52.52, lon: 13.405, accuracyM: 10 } },
    })
    expect(agents[0]!.lastRejection).not.toHaveProperty('fix') // no detail, no fix
    expect(agents[2]).toMatchObject({ batches: 0, lastBatch: null, lastRejection: null })
  })

  it('a viewer reads fleet and metric names; rejection counts need an auditor', async () => {
    expect((await get('/v1/fleet')).status).toBe(401)
    await rollup('cpu.load1', Math.floor(Date.now() / 60_000))
    await rollup('memory.used', Math.floor(Date.now() / 60_000))
    await rollup('cpu.load1', Math.floor(Date.now() / 60_000) - 1)
    await rollup('old.metric', Math.floor((Date.now() - 40 * 86400_000) / 60_000))
    const m = await get('/v1/fleet/metrics', 'viewer')
    expect(await m.json()).toEqual({ metrics: ['cpu.load1', 'memory.used'] })
    const refused = await get('/v1/fleet/rejections', 'viewer')
    expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([
      403,
      'ERR_AUTH_FORBIDDEN',
    ])
  })

  it('GET /v1/fleet/rejections counts rejections by code within the range and for one agent', async () => {
    await decision(A, T0, 'reject', 'ERR_GEO_OUTSIDE')
    await decision(A, T0 + 1, 'reject', 'ERR_GEO_OUTSIDE')
    await decision(B, T0 + 2, 'reject', 'ERR_GEO_OUTSIDE')
    await decision(B, T0 + 3, 'reject', 'ERR_NONCE_REPLAYED')
    await decision(B, T0 + 4, 'accept', null)
    await decision(B, T0 - 86400_000, 'reject', 'ERR_PCR_POLICY') // outside the range
    const range = `from=${new Date(T0 - 1000).toISOString()}&to=${T0 + 1000}`
    const all = (await (await get(`/v1/fleet/rejections?${range}`, 'auditor')).json()) as {
      counts: unknown
    }
    expect(all.counts).toEqual([
      { code: 'ERR_GEO_OUTSIDE', count: 3 },
      { code: 'ERR_NONCE_REPLAYED', count: 1 },
    ])
    const one = (await (
      await get(`/v1/fleet/rejections?${range}&agent=${B}`, 'auditor')
    ).json()) as { counts: unknown }
    expect(one.counts).toEqual([
      { code: 'ERR_GEO_OUTSIDE', count: 1 },
      { code: 'ERR_NONCE_REPLAYED', count: 1 },
    ])
    const bad = await get('/v1/fleet/rejections?agent=nope', 'auditor')
    expect([bad.status, ((await bad.json()) as { code: string }).code]).toEqual([
      400,
      'ERR_INPUT_MALFORMED',
    ])
    const backwards = await get(`/v1/fleet/rejections?from=${T0}&to=${T0 - 1}`, 'auditor')
    expect(((await backwards.json()) as { code: string }).code).toBe('ERR_INPUT_MALFORMED')
  })
})
