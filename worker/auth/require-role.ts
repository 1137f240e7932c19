/**
 * `requireRole(...roles)`: Hono middleware that admits a request only with a verified role token
 * granting one of `roles` (or a higher role: operator > auditor > viewer, roles.ts), and puts the
 * principal on the context as `c.get('principal')`. Refusals follow RFC 6750 §3 and RFC 9457:
 * no token -> 401 ERR_AUTH_MISSING, a token that does not verify -> 401 ERR_AUTH_INVALID, a valid
 * token without the role -> 403 ERR_AUTH_FORBIDDEN, each with a `WWW-Authenticate: Bearer`
 * challenge. The refusal is answered here (through http/problem.ts) rather than thrown, because
 * the challenge header has to travel with it. Configuration faults are thrown (ERR_INTERNAL) to the
 * app's onError. Leaves out authenticating agents: they prove themselves by TPM evidence alone.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { AegisError } from '../../attest/errors.ts'
import { problemResponse } from '../http/problem.ts'
import { readAccessToken } from './read-access-token.ts'
import { isRole, satisfiesRole, type Role } from './roles.ts'
import type { AccessEnv, AuthVariables } from './types.ts'
import { verifyAccessToken } from './verify-access-token.ts'

export type AuthEnv = { Bindings: AccessEnv; Variables: AuthVariables }

const REALM = 'aegis-edge'

export function requireRole(...roles: Role[]): MiddlewareHandler<AuthEnv> {
  // A guard that accepts nobody, or a typo'd role, is a wiring bug: fail at startup, not per request.
  if (roles.length === 0 || !roles.every(isRole)) {
    throw new AegisError(
      'ERR_INTERNAL',
      'requireRole needs one or more of operator, auditor, viewer',
    )
  }
  const accepted = [...roles]
  return async (c, next) => {
    const token = readAccessToken(c.req.raw.headers)
    if (token === undefined) {
      return refuse(c, new AegisError('ERR_AUTH_MISSING', 'An access token is required'), undefined)
    }
    let principal
    try {
      principal = await verifyAccessToken(c.env ?? {}, token)
    } catch (e) {
      if (e instanceof AegisError && e.code === 'ERR_AUTH_INVALID')
        return refuse(c, e, 'invalid_token')
      throw e
    }
    if (!satisfiesRole(principal.roles, accepted)) {
      const err = new AegisError('ERR_AUTH_FORBIDDEN', 'The access token lacks the required role', {
        detail: { required: accepted },
      })
      return refuse(c, err, 'insufficient_scope')
    }
    c.set('principal', principal)
    await next()
    return undefined
  }
}

function refuse(c: Context, err: AegisError, error: string | undefined): Response {
  const challenge = `Bearer realm="${REALM}"` + (error ? `, error="${error}"` : '')
  return problemResponse(c.req.url, err, {
    'www-authenticate': challenge,
    'cache-control': 'no-store',
  })
}
