/**
 * Aegis Edge collector entry point: the Hono app and the Workers handlers (fetch, queue, scheduled).
 * Routes live in one folder per capability; this file only wires them.
 */
import { Hono } from 'hono'
import { AegisError } from '../attest/errors.ts'
import type { AppEnv } from './app-env.ts'
import { dashboardRoutes } from './dashboard/aggregates.ts'
import { fleetRoutes } from './dashboard/fleet.ts'
import { metricsRoutes } from './dashboard/metrics.ts'
import { applyRetention } from './dashboard/retention.ts'
import { refusalsRoute } from './audit/refusals-route.ts'
import { enrollRoutes } from './enroll/routes.ts'
import { bootLogRoutes } from './bootlog/routes.ts'
import { problemResponse } from './http/problem.ts'
import { ingestRoutes } from './ingest/routes.ts'
import { logRoutes } from './log/routes.ts'
import { publishTreeHead } from './log/scheduled.ts'
import { operatorRoutes } from './operator/routes.ts'
import { provenanceRoutes } from './provenance/routes.ts'
import { consumeSync } from './sync/consume.ts'
import { jwksRoute } from './tokens/jwks-route.ts'

export { AgentLedger } from './ledger/agent-ledger.ts'
export { ProvenanceLog } from './log/provenance-log.ts'
export type { AppEnv }

export const app = new Hono<AppEnv>()

app.get('/healthz', (c) => c.json({ ok: true, service: 'aegis-edge' }))
app.route('/', jwksRoute)
app.route('/', enrollRoutes)
app.route('/', ingestRoutes)
app.route('/', dashboardRoutes)
app.route('/', operatorRoutes)
app.route('/', logRoutes)
app.route('/', provenanceRoutes)
app.route('/', metricsRoutes)
app.route('/', fleetRoutes)
app.route('/', refusalsRoute)
app.route('/', bootLogRoutes)

app.notFound((c) => problemResponse(c.req.url, new AegisError('ERR_NOT_FOUND', 'No such route')))
app.onError((err, c) => problemResponse(c.req.url, err))

export default {
  fetch: app.fetch,
  queue: consumeSync,
  // A failed publish fails the cron run, so it shows in the trigger's history.
  scheduled: async (_controller, env) => {
    await Promise.all([publishTreeHead(env), applyRetention(env)])
  },
} satisfies ExportedHandler<Env>
