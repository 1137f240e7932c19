/**
 * Aegis Edge collector entry point: the Hono app and the Workers handlers.
 * Routes live in worker/routes/, one capability per folder; this file only wires them.
 */
import { Hono } from 'hono'
import { problemResponse } from './http/problem.ts'

export type AppEnv = { Bindings: Env }

export const app = new Hono<AppEnv>()

app.get('/healthz', (c) => c.json({ ok: true, service: 'aegis-edge' }))

app.notFound((c) => problemResponse(c.req.url, { code: 'ERR_NOT_FOUND', status: 404, title: 'No such route' }))
app.onError((err, c) => problemResponse(c.req.url, err))

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>
