/**
 * GET /v1/refusals (auditor): the aggregated anonymous refusals (audit/record-refusal.ts), newest
 * minute first, filtered by `code`, `client`, `agent`, `from`/`to` (ISO times) and capped by
 * `limit` (100, at most 1000). Each row: the minute, route kind, code, agentId ('' when it named
 * no enrolled agent), client address, count and first/last time. The one-row-per-decision trail
 * stays at GET /v1/decisions.
 */
import { Hono } from 'hono'
import type { AppEnv } from '../app-env.ts'
import { requireRole } from '../auth/require-role.ts'
import { listRefusals } from '../store/refusals.ts'
import { auditRange } from '../http/params.ts'

export const refusalsRoute = new Hono<AppEnv>()

refusalsRoute.get('/v1/refusals', requireRole('auditor'), async (c) => {
  const q = c.req.query()
  const rows = await listRefusals(c.env.DB, {
    code: q.code ?? null,
    client: q.client ?? null,
    agentId: q.agent ?? null,
    ...auditRange(q),
  })
  return c.json({
    refusals: rows.map((r) => ({
      minute: new Date(r.minute * 60_000).toISOString(),
      kind: r.kind,
      code: r.code,
      agentId: r.agentId || null,
      client: r.client,
      count: r.count,
      firstAt: new Date(r.firstAt).toISOString(),
      lastAt: new Date(r.lastAt).toISOString(),
    })),
  })
})
