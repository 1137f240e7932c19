/**
 * Read-only views the web console needs beyond the other APIs (docs/console.md):
 *   GET /v1/me                 (viewer)  the verified principal, so a console signed in through
 *                                        Cloudflare Access (no token in the page) learns its roles
 *   GET /v1/fleet              (viewer)  each agent's status, zones, last accepted batch with its
 *                                        location fix (D1 `batches` lat/lon) and last rejection code
 *   GET /v1/fleet/metrics      (viewer)  metric names seen in the rollups, for the chart picker
 *   GET /v1/fleet/rejections   (auditor) rejection counts by code over a time range (?agent=&from=&to=)
 * Status follows GET /v1/agents/summary: revoked, else failing when the latest batch decision is a
 * rejection newer than the last accepted batch, else active. Leaves out rejection detail for
 * viewers (only the code; the audit trail is the auditor's) and writes of any kind.
 */
import { Hono } from 'hono'
import { AegisError } from '../../attest/errors.ts'
import type { AppEnv } from '../app-env.ts'
import { requireRole } from '../auth/require-role.ts'

const MAX_AGENTS = 5000
const AGENT_ID = /^[0-9a-f]{64}$/

export const fleetRoutes = new Hono<AppEnv>()

function time(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined || v === '') return fallback
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v)
  if (!Number.isFinite(t))
    throw new AegisError('ERR_INPUT_MALFORMED', `${name} must be an ISO time or epoch ms`)
  return t
}

fleetRoutes.get('/v1/me', requireRole('viewer'), (c) => {
  const { sub, roles, iss } = c.get('principal')
  return c.json({ sub, roles, iss }, 200, { 'cache-control': 'no-store' })
})

interface FleetRow {
  agent_id: string
  status: string
  zones: string
  sensor_id: string
  enrolled_at: number
  batches: number
  batch_id: string | null
  seq: number | null
  accepted_at: number | null
  zone: string | null
  lat: number | null
  lon: number | null
  accuracy_m: number | null
  last_reject: string | null
  jurisdiction: string | null
}

/**
 * `code|at|detail` of the latest rejection. A geofence refusal's detail holds the fix the agent
 * reported (attest/geofence/check-fix.ts), so the map can show a refused agent where it claimed
 * to be, marked as refused.
 */
function lastReject(v: string | null): {
  code: string | null
  at: string | null
  fix?: { lat: number; lon: number; accuracyM: number }
} {
  if (!v) return { code: null, at: null }
  const [code = null, at = null] = v.split('|', 2)
  const detailText = v.slice((code?.length ?? 0) + (at?.length ?? 0) + 2)
  let fix: { lat: number; lon: number; accuracyM: number } | undefined
  try {
    const f = (JSON.parse(detailText) as { fix?: Record<string, unknown> }).fix
    if (
      f &&
      [f.lat, f.lon, f.accuracyM].every((x) => typeof x === 'number' && Number.isFinite(x))
    ) {
      fix = { lat: f.lat as number, lon: f.lon as number, accuracyM: f.accuracyM as number }
    }
  } catch {
    /* no detail, or not JSON: no fix to show */
  }
  return { code, at, ...(fix ? { fix } : {}) }
}

fleetRoutes.get('/v1/fleet', requireRole('viewer'), async (c) => {
  // The latest batch by seq: seq rises per agent, and (agent_id, seq) is indexed.
  const rows = await c.env.DB.prepare(
    `SELECT a.agent_id, a.status, a.zones, a.sensor_id, a.enrolled_at, r.jurisdiction,
            (SELECT COUNT(*) FROM batches x WHERE x.agent_id = a.agent_id) AS batches,
            b.batch_id, b.seq, b.accepted_at, b.zone, b.lat, b.lon, b.accuracy_m,
            (SELECT d.code || '|' || d.at || '|' || COALESCE(d.detail, '') FROM decisions d
               WHERE d.agent_id = a.agent_id AND d.verdict = 'reject' ORDER BY d.at DESC, d.id DESC LIMIT 1) AS last_reject
       FROM agents a
       LEFT JOIN agent_residency r ON r.agent_id = a.agent_id
       LEFT JOIN batches b ON b.batch_id =
            (SELECT y.batch_id FROM batches y WHERE y.agent_id = a.agent_id ORDER BY y.seq DESC LIMIT 1)
      ORDER BY a.agent_id LIMIT ?1`,
  )
    .bind(MAX_AGENTS)
    .all<FleetRow>()
  return c.json({
    agents: rows.results.map((r) => {
      const { code, at, fix: reportedFix } = lastReject(r.last_reject)
      const failing = at !== null && (r.accepted_at === null || Number(at) > r.accepted_at)
      return {
        agentId: r.agent_id,
        status: r.status === 'revoked' ? 'revoked' : failing ? 'failing' : 'active',
        zones: JSON.parse(r.zones) as string[],
        // Where its data lives (docs/sovereignty.md); null: unrestricted.
        jurisdiction: r.jurisdiction,
        sensorId: r.sensor_id,
        enrolledAt: new Date(r.enrolled_at).toISOString(),
        batches: r.batches,
        lastBatch:
          r.batch_id === null
            ? null
            : {
                batchId: r.batch_id,
                seq: r.seq,
                acceptedAt: new Date(r.accepted_at!).toISOString(),
                zone: r.zone,
                fix: { lat: r.lat, lon: r.lon, accuracyM: r.accuracy_m },
              },
        lastRejection: code
          ? {
              code,
              at: new Date(Number(at)).toISOString(),
              ...(reportedFix ? { fix: reportedFix } : {}),
            }
          : null,
      }
    }),
  })
})

fleetRoutes.get('/v1/fleet/metrics', requireRole('viewer'), async (c) => {
  const since = time(c.req.query('from'), Date.now() - 30 * 86400_000, 'from')
  const rows = await c.env.DB.prepare(
    'SELECT DISTINCT j.key AS metric FROM rollups, json_each(rollups.metrics) AS j WHERE minute >= ?1 ORDER BY metric LIMIT 500',
  )
    .bind(Math.floor(since / 60_000))
    .all<{ metric: string }>()
  return c.json({ metrics: rows.results.map((r) => r.metric) })
})

fleetRoutes.get('/v1/fleet/rejections', requireRole('auditor'), async (c) => {
  const q = c.req.query()
  const to = time(q.to, Date.now(), 'to')
  const from = time(q.from, to - 7 * 86400_000, 'from')
  if (from > to) throw new AegisError('ERR_INPUT_MALFORMED', 'from is after to')
  if (q.agent !== undefined && !AGENT_ID.test(q.agent))
    throw new AegisError('ERR_INPUT_MALFORMED', 'agent must be 64 lowercase hex')
  const rows = await c.env.DB.prepare(
    `SELECT code, COUNT(*) AS n FROM decisions
      WHERE verdict = 'reject' AND at >= ?1 AND at <= ?2 AND (?3 IS NULL OR agent_id = ?3)
      GROUP BY code ORDER BY n DESC, code`,
  )
    .bind(from, to, q.agent ?? null)
    .all<{ code: string | null; n: number }>()
  return c.json({
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    counts: rows.results.map((r) => ({ code: r.code ?? 'ERR_INTERNAL', count: r.n })),
  })
})
