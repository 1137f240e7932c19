/**
 * Dashboard reads (viewer role) from the D1 rollups: GET /v1/aggregates re-buckets per-minute
 * rollups into `step` buckets (count, sum, min, max, avg) per metric x zone x agent, with the
 * metric's unit as the agents reported it (kept in the rollups; null if none in the range);
 * GET /v1/agents/summary gives each agent's status, last accepted batch and last rejection.
 */
import { Hono } from 'hono'
import { AegisError } from '../../attest/errors.ts'
import type { AppEnv } from '../app-env.ts'
import { requireRole } from '../auth/require-role.ts'

const MAX_POINTS = 5000

export const dashboardRoutes = new Hono<AppEnv>()

function time(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v)
  if (!Number.isFinite(t))
    throw new AegisError('ERR_INPUT_MALFORMED', `${name} must be an ISO time or epoch ms`)
  return t
}

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
  const to = time(q.to, Date.now(), 'to')
  const from = time(q.from, to - 3600_000, 'from')
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
  const rows = await c.env.DB.prepare(
    `SELECT (minute / CAST(?1 AS INTEGER)) * CAST(?1 AS INTEGER) AS bucket, zone, agent_id, SUM(m ->> 0) AS count,
            SUM(m ->> 1) AS sum, MIN(m ->> 2) AS min, MAX(m ->> 3) AS max, MAX(m ->> 4) AS unit
       FROM (SELECT minute, zone, agent_id, json_extract(metrics, ?2) AS m FROM rollups
              WHERE minute >= ?3 AND minute <= ?4 AND (?5 IS NULL OR zone = ?5) AND (?6 IS NULL OR agent_id = ?6))
      WHERE m IS NOT NULL
      GROUP BY bucket, zone, agent_id ORDER BY bucket, zone, agent_id LIMIT 20000`,
  )
    .bind(
      step,
      `$."${metric}"`,
      Math.floor(from / 60_000),
      Math.floor(to / 60_000),
      q.zone ?? null,
      q.agent ?? null,
    )
    .all<{
      bucket: number
      zone: string
      agent_id: string
      count: number
      sum: number
      min: number
      max: number
      unit: string | null
    }>()
  const unit = rows.results.find((r) => r.unit != null)?.unit ?? null
  return c.json({
    metric,
    unit,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    stepSeconds: step * 60,
    points: rows.results.map((r) => ({
      t: new Date(r.bucket * 60_000).toISOString(),
      zone: r.zone || null,
      agentId: r.agent_id,
      count: r.count,
      sum: r.sum,
      min: r.min,
      max: r.max,
      avg: r.sum / r.count,
    })),
  })
})

dashboardRoutes.get('/v1/agents/summary', requireRole('viewer'), async (c) => {
  const rows = await c.env.DB.prepare(
    `SELECT a.agent_id, a.status, a.zones, a.sensor_id,
            (SELECT MAX(accepted_at) FROM batches b WHERE b.agent_id = a.agent_id) AS last_accepted,
            (SELECT COUNT(*) FROM batches b WHERE b.agent_id = a.agent_id) AS batches,
            (SELECT d.code || '|' || d.at FROM decisions d
               WHERE d.agent_id = a.agent_id AND d.verdict = 'reject' ORDER BY d.at DESC LIMIT 1) AS last_reject
       FROM agents a ORDER BY a.agent_id LIMIT 5000`,
  ).all<{
    agent_id: string
    status: string
    zones: string
    sensor_id: string
    last_accepted: number | null
    batches: number
    last_reject: string | null
  }>()
  return c.json({
    agents: rows.results.map((r) => {
      const [code, at] = r.last_reject ? r.last_reject.split('|') : [null, null]
      const lastAccepted = r.last_accepted
      const failing = at !== null && (lastAccepted === null || Number(at) > lastAccepted)
      return {
        agentId: r.agent_id,
        status: r.status === 'revoked' ? 'revoked' : failing ? 'failing' : 'active',
        zones: JSON.parse(r.zones) as string[],
        sensorId: r.sensor_id,
        batches: r.batches,
        lastAccepted: lastAccepted === null ? null : new Date(lastAccepted).toISOString(),
        lastRejection: code ? { code, at: new Date(Number(at)).toISOString() } : null,
      }
    }),
  })
})
