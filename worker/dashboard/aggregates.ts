/**
 * Dashboard reads (viewer role) from the D1 rollups: GET /v1/aggregates re-buckets per-minute
 * rollups into `step` buckets (count, sum, min, max, avg) per metric x zone x agent, with the
 * metric's unit as the agents reported it (kept in the rollups; null if none in the range);
 * GET /v1/agents/summary gives each agent's status, last accepted batch and last rejection.
 */
import { inScope } from '../residency/scope.ts'
import { Hono } from 'hono'
import { AegisError } from '../../attest/errors.ts'
import type { AppEnv } from '../app-env.ts'
import { requireRole } from '../auth/require-role.ts'
import { agentSummaries } from '../store/agents.ts'
import { rollupSeries } from '../store/rollups.ts'
import { queryTime } from '../http/params.ts'

const MAX_POINTS = 5000

export const dashboardRoutes = new Hono<AppEnv>()

/** step: "60s", "5m", "1h", "1d" or seconds; a whole number of minutes. */
function stepMinutes(v: string | undefined): number {
  if (v === undefined) return 1
  const m = /^(\d+)(s|m|h|d)?$/.exec(v)
  if (!m) throw new AegisError('ERR_INPUT_MALFORMED', 'step must look like 60s, 5m, 1h or 1d')
  const secs =
    Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd']
  if (secs < 60 || secs % 60 !== 0)
    throw new AegisError('ERR_INPUT_MALFORMED', 'step must be a whole number of minutes')
  return secs / 60
}

dashboardRoutes.get('/v1/aggregates', requireRole('viewer'), async (c) => {
  const q = c.req.query()
  const metric = q.metric
  if (!metric || !/^[a-z][a-z0-9_.:-]{0,95}$/.test(metric))
    throw new AegisError('ERR_INPUT_MALFORMED', 'metric is required')
  const to = queryTime(q.to, Date.now(), 'to')
  const from = queryTime(q.from, to - 3600_000, 'from')
  const step = stepMinutes(q.step)
  if (from > to) throw new AegisError('ERR_INPUT_MALFORMED', 'from is after to')
  if ((to - from) / 60_000 / step > MAX_POINTS) {
    throw new AegisError(
      'ERR_INPUT_MALFORMED',
      `range/step gives more than ${MAX_POINTS} buckets: widen step`,
    )
  }
  // One rollup row per (minute, zone, agent) holds every metric as [count, sum, min, max, unit]
  // (migration 0005); the metric name cannot contain a quote, so it is safe in a quoted path.
  const rows = await rollupSeries(c.env.DB, {
    metric,
    step,
    fromMinute: Math.floor(from / 60_000),
    toMinute: Math.floor(to / 60_000),
    zone: q.zone ?? null,
    agentId: q.agent ?? null,
  })
  const unit = rows.find((r) => r.unit != null)?.unit ?? null
  return c.json({
    metric,
    unit,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    stepSeconds: step * 60,
    points: rows.map((r) => ({
      t: new Date(r.bucket * 60_000).toISOString(),
      zone: r.zone || null,
      agentId: r.agentId,
      count: r.count,
      sum: r.sum,
      min: r.min,
      max: r.max,
      avg: r.sum / r.count,
    })),
  })
})

dashboardRoutes.get('/v1/agents/summary', requireRole('viewer'), async (c) => {
  const rows = await agentSummaries(c.env.DB, 5000)
  const principal = c.get('principal')
  return c.json({
    agents: rows
      .filter((r) => inScope(principal, r.jurisdiction))
      .map((r) => {
        const [code, at] = r.lastReject ? r.lastReject.split('|') : [null, null]
        const lastAccepted = r.lastAccepted
        const failing = at !== null && (lastAccepted === null || Number(at) > lastAccepted)
        return {
          agentId: r.agentId,
          status: r.status === 'revoked' ? 'revoked' : failing ? 'failing' : 'active',
          zones: r.zones,
          sensorId: r.sensorId,
          batches: r.batches,
          lastAccepted: lastAccepted === null ? null : new Date(lastAccepted).toISOString(),
          lastRejection: code ? { code, at: new Date(Number(at)).toISOString() } : null,
        }
      }),
  })
})
