/**
 * `auditOutcome(kind)`: middleware that records the outcome of an agent route (enroll, activate,
 * nonce, batches) after the handler ran, reading `c.error` after `await next()` as hono's timing
 * middleware reads the response: a refusal goes through recordRefusal (anonymous refusals counted
 * per client, an enrolled agent's own refusal one `decisions` row), an acceptance of enroll and
 * activate is one `decisions` row. Handlers note what they learn as they go (agentId, batchId,
 * verification time) with noteAudit, so a refusal names as much as was known when it happened.
 * Registered after the client guard: a request answered 429 before any work is not recorded.
 */
import type { MiddlewareHandler } from 'hono'
import { AegisError } from '../../attest/errors.ts'
import type { AppEnv } from '../app-env.ts'
import { cfCountry } from '../http/cf-country.ts'
import { recordDecision, type Decision } from './record-decision.ts'
import { recordRefusal, refusalCode } from './record-refusal.ts'

/** What the handler learned about the request, for its audit record. */
export interface AuditNotes {
  agentId: string | null
  batchId: string | null
  verifyMs: number | null
}

export type AuditVariables = { audit: AuditNotes }

export function noteAudit(c: { get(k: 'audit'): AuditNotes }, notes: Partial<AuditNotes>): void {
  Object.assign(c.get('audit'), notes)
}

export interface AuditOptions {
  /** Record an accepted request as one decision (enroll, activate; batches are recorded on sync). */
  recordAccept?: boolean
  /** Whether a refusal is anonymous (default: always). */
  anonymous?: (e: unknown) => boolean
}

export function auditOutcome(
  kind: Decision['kind'],
  o: AuditOptions = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const at = Date.now()
    const notes: AuditNotes = { agentId: null, batchId: null, verifyMs: null }
    c.set('audit', notes)
    await next()
    const e = c.error
    const d: Decision = {
      at,
      kind,
      agentId: notes.agentId,
      batchId: notes.batchId,
      verdict: e === undefined ? 'accept' : 'reject',
      code: e === undefined ? null : refusalCode(e),
      zone: null,
      cfCountry: cfCountry(c.req.raw),
      verifyMs: notes.verifyMs,
      detail: e instanceof AegisError && e.detail ? e.detail : null,
    }
    if (e !== undefined) await recordRefusal(c, d, o.anonymous?.(e) ?? true)
    // Only a handled success: a method no route serves (404 after the middleware) is no decision.
    else if (o.recordAccept && c.res.ok) recordDecision(c.env, c.executionCtx, d)
  }
}
