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
import { inScope } from '../residency/scope.ts'
import { Hono } from 'hono'
import { AegisError } from '../../attest/errors.ts'
import type { AppEnv } from '../app-env.ts'
import { requireRole } from '../auth/require-role.ts'
import { fleetRows } from '../store/agents.ts'
import { rejectionCounts } from '../store/decisions.ts'
import { metricNames } from '../store/totals.ts'
import { AGENT_ID, queryTime } from '../http/params.ts'

const MAX_AGENTS = 5000

export const fleetRoutes = new Hono<AppEnv>()

fleetRoutes.get('/v1/me', requireRole('viewer'), (c) => {
  const { sub, roles, iss } = c.get('principal')
  return c.json({ sub, roles, iss }, 200, { 'cache-control': 'no-store' })
})

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
  const rows = await fleetRows(c.env.DB, MAX_AGENTS)
  const principal = c.get('principal')
  return c.json({
    agents: rows
      .filter((r) => inScope(principal, r.jurisdiction))
      .map((r) => {
        const { code, at, fix: reportedFix } = lastReject(r.lastReject)
        const b = r.lastBatch
        const failing = at !== null && (b === null || Number(at) > b.acceptedAt)
        return {
          agentId: r.agentId,
          status: r.status === 'revoked' ? 'revoked' : failing ? 'failing' : 'active',
          zones: r.zones,
          // Where its data lives (docs/sovereignty.md); null: unrestricted.
          jurisdiction: r.jurisdiction,
          sensorId: r.sensorId,
          enrolledAt: new Date(r.enrolledAt).toISOString(),
          batches: r.batches,
          lastBatch:
            b === null
              ? null
              : {
                  batchId: b.batchId,
                  seq: b.seq,
                  acceptedAt: new Date(b.acceptedAt).toISOString(),
                  zone: b.zone,
                  fix: { lat: b.lat, lon: b.lon, accuracyM: b.accuracyM },
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
  const since = queryTime(c.req.query('from'), Date.now() - 30 * 86400_000, 'from')
  return c.json({ metrics: await metricNames(c.env.DB, Math.floor(since / 60_000)) })
})

fleetRoutes.get('/v1/fleet/rejections', requireRole('auditor'), async (c) => {
  const q = c.req.query()
  const to = queryTime(q.to, Date.now(), 'to')
  const from = queryTime(q.from, to - 7 * 86400_000, 'from')
  if (from > to) throw new AegisError('ERR_INPUT_MALFORMED', 'from is after to')
  if (q.agent !== undefined && !AGENT_ID.test(q.agent))
    throw new AegisError('ERR_INPUT_MALFORMED', 'agent must be 64 lowercase hex')
  const rows = await rejectionCounts(c.env.DB, { from, to, agentId: q.agent ?? null })
  return c.json({
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    counts: rows.map((r) => ({ code: r.code ?? 'ERR_INTERNAL', count: r.n })),
  })
})
