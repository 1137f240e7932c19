/**
 * The audit side of a refused request on an unauthenticated route. A refusal by an enrolled agent
 * (its quote verified: a policy, clock or sequence refusal) stays one `decisions` row. Any other
 * refusal is anonymous: it counts against the client's refusal limit (ratelimit/rate-limit.ts) and
 * is aggregated in `refusals` per minute, kind, code, agent and client. An agentId that named no
 * enrolled agent is not kept (random agentIds must not grow the table). Past the client's limit
 * only the refusal that crossed it is recorded, as ERR_RATE_LIMITED; what follows is answered 429
 * before any work and not recorded one by one.
 */
import { AegisError, type ErrorCode } from '../../attest/errors.ts'
import { charge, clientAddress } from '../ratelimit/rate-limit.ts'
import { recordDecision, type Decision } from './record-decision.ts'

/** Codes whose agentId is not an established agent: aggregated without it. */
const NO_AGENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ERR_AGENT_UNKNOWN',
  'ERR_ENROLL_NOT_FOUND',
])

interface RefusalContext {
  env: Env
  executionCtx: { waitUntil(p: Promise<unknown>): void }
  req: { raw: Request }
}

export function refusalCode(e: unknown): ErrorCode {
  return e instanceof AegisError ? e.code : 'ERR_INTERNAL'
}

export async function recordRefusal(
  c: RefusalContext,
  d: Decision,
  anonymous: boolean,
): Promise<void> {
  if (!anonymous || d.code === 'ERR_INTERNAL') {
    recordDecision(c.env, c.executionCtx, d)
    return
  }
  const client = clientAddress(c.req.raw)
  const within = await charge(c.env, 'client', client).catch((e: unknown) => {
    // A limiter outage must not turn refusals into 500s: count the refusal, fail open.
    console.error('rate limiter unavailable', e)
    return true
  })
  const code = within ? d.code : 'ERR_RATE_LIMITED'
  recordDecision(c.env, c.executionCtx, {
    ...d,
    code,
    agentId: code && NO_AGENT.has(code) ? null : d.agentId,
    batchId: null,
    detail: null,
    aggregate: { client },
  })
}
