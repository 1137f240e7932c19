/**
 * Rate limits for the unauthenticated routes (enroll, activate, nonce, batches), on the Workers
 * rate limiting binding (wrangler.toml [[ratelimits]]; it runs locally in `wrangler dev`):
 *  - RATE_LIMIT_CLIENT, keyed by client address (CF-Connecting-IP), counts REFUSED requests only,
 *    so a client that sends valid evidence is never slowed, and one that sends garbage is stopped
 *    after `limit` refusals per period;
 *  - RATE_LIMIT_AGENT, keyed by agentId, counts every nonce, enroll and activate request naming
 *    that agent (a legitimate agent needs a handful; its batches chain nonces and never count).
 * Once a limiter says no, the key is blocked in this isolate until the period ends, so further
 * requests are answered 429 before any work (a bounded, loss-tolerant cache: losing it only costs
 * one more limiter call). Limits and periods are configuration (docs/rate-limits.md); the period
 * must be RATE_LIMIT_PERIOD_S (the binding accepts 10 or 60).
 * Leaves out limits on authenticated (operator, auditor, viewer) routes.
 */
import type { MiddlewareHandler } from 'hono'
import { AegisError } from '../../attest/errors.ts'
import { BoundedCache } from '../auth/bounded-cache.ts'

export const RATE_LIMIT_PERIOD_S = 60

export type LimitScope = 'client' | 'agent'

interface Limiter {
  limit(o: { key: string }): Promise<{ success: boolean }>
}
export interface RateLimitEnv {
  RATE_LIMIT_CLIENT?: Limiter
  RATE_LIMIT_AGENT?: Limiter
}

const BLOCK_CACHE_SIZE = 50_000
let blocked = new BoundedCache<number>(BLOCK_CACHE_SIZE)

/** The client's address as Cloudflare reports it; `wrangler dev` sets it from the socket. */
export function clientAddress(req: Request): string {
  return req.headers.get('cf-connecting-ip')?.trim() || 'unknown'
}

export function rateLimited(scope: LimitScope, retryAfterS: number): AegisError {
  // RFC 9110 §10.2.3: a 429 says when to come back.
  return new AegisError('ERR_RATE_LIMITED', `too many requests for this ${scope}`, {
    detail: { scope, retryAfterSeconds: retryAfterS },
    headers: { 'retry-after': String(retryAfterS) },
  })
}

/** Throws ERR_RATE_LIMITED while `key` is blocked in this isolate. */
export function assertNotBlocked(scope: LimitScope, key: string, now = Date.now()): void {
  const until = blocked.get(`${scope}:${key}`)
  if (until === undefined) return
  if (until <= now) {
    blocked.delete(`${scope}:${key}`)
    return
  }
  throw rateLimited(scope, Math.ceil((until - now) / 1000))
}

/**
 * Count one event for `key`. Returns false (and blocks the key for a period) when the limit is
 * exceeded. Without a binding (unit tests that do not configure one) nothing is limited.
 */
export async function charge(env: RateLimitEnv, scope: LimitScope, key: string): Promise<boolean> {
  const limiter = scope === 'client' ? env.RATE_LIMIT_CLIENT : env.RATE_LIMIT_AGENT
  if (!limiter) return true
  const { success } = await limiter.limit({ key })
  if (!success) blocked.set(`${scope}:${key}`, Date.now() + RATE_LIMIT_PERIOD_S * 1000)
  return success
}

/** Requests naming an agentId on nonce, enroll and activate: refused once over the limit. */
export async function chargeAgent(env: RateLimitEnv, agentId: string): Promise<void> {
  assertNotBlocked('agent', agentId)
  if (!(await charge(env, 'agent', agentId))) throw rateLimited('agent', RATE_LIMIT_PERIOD_S)
}

/** Agent-route middleware: a client blocked for too many refusals gets 429 before any work. */
export const refuseBlockedClient: MiddlewareHandler = async (c, next) => {
  assertNotBlocked('client', clientAddress(c.req.raw))
  await next()
}

/** Test hook: forget every block (workerd tests share one isolate). */
export function clearBlocks(): void {
  blocked = new BoundedCache<number>(BLOCK_CACHE_SIZE)
}
