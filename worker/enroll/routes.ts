/**
 * Registrar routes (DESIGN.md "Enrollment"). Agents authenticate by TPM evidence alone: these
 * routes take no bearer token. Every acceptance is one audit row; refusals are anonymous, counted
 * per client and aggregated (audit/record-refusal.ts); requests naming an agentId are rate limited
 * per agent (ratelimit/rate-limit.ts).
 */
import { EVENTLOG_LIMITS } from '../../attest/eventlog/parse-event-log.ts'
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import type { AppEnv } from '../app-env.ts'
import { recordDecision, type Decision } from '../audit/record-decision.ts'
import { recordRefusal, refusalCode } from '../audit/record-refusal.ts'
import { assertNotBlocked, chargeAgent, clientAddress } from '../ratelimit/rate-limit.ts'
import { cfCountry } from '../http/cf-country.ts'
import { readJson } from '../http/json-body.ts'
import { issueAgentToken } from './agent-token.ts'
import { activateEnrollment } from './activate-enrollment.ts'
import { beginEnrollment } from './begin-enrollment.ts'

const MAX_ENROLL_BODY = 32 * 1024
/** The activation may carry the UEFI event log: up to 1 MiB, base64url (4/3) on top. */
const MAX_ACTIVATE_BODY = MAX_ENROLL_BODY + Math.ceil((EVENTLOG_LIMITS.maxBytes * 4) / 3)

export const enrollRoutes = new Hono<AppEnv>()

function decision(
  c: Context<AppEnv>,
  kind: 'enroll' | 'activate',
  agentId: string | null,
  err?: unknown,
): Decision {
  return {
    at: Date.now(),
    kind,
    agentId,
    batchId: null,
    verdict: err === undefined ? 'accept' : 'reject',
    code: err === undefined ? null : refusalCode(err),
    zone: null,
    cfCountry: cfCountry(c.req.raw),
    verifyMs: null,
    detail: null,
  }
}

// A client blocked for too many refusals is answered 429 before any work.
const guard: MiddlewareHandler<AppEnv> = async (c, next) => {
  assertNotBlocked('client', clientAddress(c.req.raw))
  await next()
}
enrollRoutes.use('/v1/enroll', guard)
enrollRoutes.use('/v1/enroll/:enrollmentId/activate', guard)

enrollRoutes.post('/v1/enroll', async (c) => {
  let agentId: string | null = null
  try {
    const body = await readJson(c.req.raw, MAX_ENROLL_BODY)
    const reply = await beginEnrollment(c.env, body, Date.now(), async (id) => {
      agentId = id
      await chargeAgent(c.env, id)
    })
    recordDecision(c.env, c.executionCtx, decision(c, 'enroll', reply.agentId))
    return c.json(reply, 201)
  } catch (e) {
    // Every enroll refusal is anonymous: nothing has proven a TPM yet.
    await recordRefusal(c, decision(c, 'enroll', agentId, e), true)
    throw e
  }
})

enrollRoutes.post('/v1/enroll/:enrollmentId/activate', async (c) => {
  const enrollmentId = c.req.param('enrollmentId')
  const agentId = /^[0-9a-f]{64}/.exec(enrollmentId)?.[0] ?? null
  try {
    const body = await readJson(c.req.raw, MAX_ACTIVATE_BODY)
    const agent = await activateEnrollment(c.env, enrollmentId, body, (id) =>
      chargeAgent(c.env, id),
    )
    const token = await issueAgentToken(c.env, agent)
    recordDecision(c.env, c.executionCtx, decision(c, 'activate', agent.agentId))
    return c.json({ agentId: agent.agentId, token, status: agent.status, zones: agent.zones })
  } catch (e) {
    await recordRefusal(c, decision(c, 'activate', agentId, e), true)
    throw e
  }
})
