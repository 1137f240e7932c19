/**
 * Registrar routes (DESIGN.md "Enrollment"). Agents authenticate by TPM evidence alone: these
 * routes take no bearer token. Every outcome is recorded in the audit trail.
 */
import { EVENTLOG_LIMITS } from '../../attest/eventlog/parse-event-log.ts'
import { Hono, type Context } from 'hono'
import { AegisError } from '../../attest/errors.ts'
import type { AppEnv } from '../app-env.ts'
import { recordDecision } from '../audit/record-decision.ts'
import { cfCountry } from '../http/cf-country.ts'
import { readJson } from '../http/json-body.ts'
import { issueAgentToken } from './agent-token.ts'
import { activateEnrollment } from './activate-enrollment.ts'
import { beginEnrollment } from './begin-enrollment.ts'

const MAX_ENROLL_BODY = 32 * 1024
/** The activation may carry the UEFI event log: up to 1 MiB, base64url (4/3) on top. */
const MAX_ACTIVATE_BODY = MAX_ENROLL_BODY + Math.ceil((EVENTLOG_LIMITS.maxBytes * 4) / 3)

export const enrollRoutes = new Hono<AppEnv>()

function audit(c: Context<AppEnv>, kind: 'enroll' | 'activate', agentId: string | null, err?: unknown): void {
  const code = err === undefined ? null : err instanceof AegisError ? err.code : 'ERR_INTERNAL'
  recordDecision(c.env, c.executionCtx, {
    at: Date.now(),
    kind,
    agentId,
    batchId: null,
    verdict: err === undefined ? 'accept' : 'reject',
    code,
    zone: null,
    cfCountry: cfCountry(c.req.raw),
    verifyMs: null,
    detail: null,
  })
}

enrollRoutes.post('/v1/enroll', async (c) => {
  try {
    const reply = await beginEnrollment(c.env, await readJson(c.req.raw, MAX_ENROLL_BODY))
    audit(c, 'enroll', reply.agentId)
    return c.json(reply, 201)
  } catch (e) {
    audit(c, 'enroll', null, e)
    throw e
  }
})

enrollRoutes.post('/v1/enroll/:enrollmentId/activate', async (c) => {
  const enrollmentId = c.req.param('enrollmentId')
  const agentId = /^[0-9a-f]{64}/.exec(enrollmentId)?.[0] ?? null
  try {
    const body = await readJson(c.req.raw, MAX_ACTIVATE_BODY)
    const agent = await activateEnrollment(c.env, enrollmentId, body)
    const token = await issueAgentToken(c.env, agent)
    audit(c, 'activate', agent.agentId)
    return c.json({ agentId: agent.agentId, token, status: agent.status, zones: agent.zones })
  } catch (e) {
    audit(c, 'activate', agentId, e)
    throw e
  }
})
