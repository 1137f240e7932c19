/**
 * Registrar routes (DESIGN.md "Enrollment"). Agents authenticate by TPM evidence alone: these
 * routes take no bearer token. Every acceptance is one audit row; refusals are anonymous, counted
 * per client and aggregated (audit/record-refusal.ts); requests naming an agentId are rate limited
 * per agent (ratelimit/rate-limit.ts).
 */
import { EVENTLOG_LIMITS } from '../../attest/eventlog/parse-event-log.ts'
import { Hono } from 'hono'
import type { AppEnv } from '../app-env.ts'
import { auditOutcome, noteAudit } from '../audit/audit-outcome.ts'
import { chargeAgent, refuseBlockedClient } from '../ratelimit/rate-limit.ts'
import { readJson } from '../http/json-body.ts'
import { AGENT_ID } from '../http/params.ts'
import { issueAgentToken } from './agent-token.ts'
import { activateEnrollment } from './activate-enrollment.ts'
import { beginEnrollment } from './begin-enrollment.ts'

const MAX_ENROLL_BODY = 32 * 1024
/** The activation may carry the UEFI event log: up to 1 MiB, base64url (4/3) on top. */
const MAX_ACTIVATE_BODY = MAX_ENROLL_BODY + Math.ceil((EVENTLOG_LIMITS.maxBytes * 4) / 3)

export const enrollRoutes = new Hono<AppEnv>()

// A client blocked for too many refusals is answered 429 before any work. Every enroll and
// activate refusal is anonymous (nothing has proven a TPM yet); each acceptance is one audit row.
enrollRoutes.use('/v1/enroll', refuseBlockedClient, auditOutcome('enroll', { recordAccept: true }))
enrollRoutes.use(
  '/v1/enroll/:enrollmentId/activate',
  refuseBlockedClient,
  auditOutcome('activate', { recordAccept: true }),
)

enrollRoutes.post('/v1/enroll', async (c) => {
  const body = await readJson(c.req.raw, MAX_ENROLL_BODY)
  const reply = await beginEnrollment(c.env, body, Date.now(), async (id) => {
    noteAudit(c, { agentId: id })
    await chargeAgent(c.env, id)
  })
  noteAudit(c, { agentId: reply.agentId })
  return c.json(reply, 201)
})

enrollRoutes.post('/v1/enroll/:enrollmentId/activate', async (c) => {
  const enrollmentId = c.req.param('enrollmentId')
  // An enrollment id starts with the agentId it enrolls (enroll/sealed-challenge.ts).
  const prefix = enrollmentId.slice(0, 64)
  noteAudit(c, { agentId: AGENT_ID.test(prefix) ? prefix : null })
  const body = await readJson(c.req.raw, MAX_ACTIVATE_BODY)
  const agent = await activateEnrollment(c.env, enrollmentId, body, (id) => chargeAgent(c.env, id))
  const token = await issueAgentToken(c.env, agent)
  noteAudit(c, { agentId: agent.agentId })
  return c.json({ agentId: agent.agentId, token, status: agent.status, zones: agent.zones })
})
