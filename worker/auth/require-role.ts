/**
 * `requireRole(...roles)`: Hono middleware that admits a request only with a verified role token
 * granting one of `roles` (or a higher role: operator > auditor > viewer, roles.ts), and puts the
 * principal on the context as `c.get('principal')`. Refusals follow RFC 6750 §3 and RFC 9457:
 * no token -> 401 ERR_AUTH_MISSING, a token that does not verify -> 401 ERR_AUTH_INVALID, a valid
 * token without the role -> 403 ERR_AUTH_FORBIDDEN, each with a `WWW-Authenticate: Bearer`
 * challenge. Refusals are thrown like every other check, the challenge carried as the error's
 * headers (http/problem.ts sends them); configuration faults are thrown as ERR_INTERNAL. Leaves out
 * authenticating agents: they prove themselves by TPM evidence alone.
 */
import type { MiddlewareHandler } from 'hono'
import { AegisError } from '../../attest/errors.ts'
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
      throw refusal('ERR_AUTH_MISSING', 'An access token is required', undefined)
    }
    let principal
    try {
      principal = await verifyAccessToken(c.env ?? {}, token)
    } catch (e) {
      if (e instanceof AegisError && e.code === 'ERR_AUTH_INVALID')
        throw refusal(e.code, e.message, 'invalid_token', e.detail, e)
      throw e
    }
    if (!satisfiesRole(principal.roles, accepted)) {
      throw refusal(
        'ERR_AUTH_FORBIDDEN',
        'The access token lacks the required role',
        'insufficient_scope',
        { required: accepted },
      )
    }
    c.set('principal', principal)
    await next()
  }
}

/** An RFC 6750 §3 refusal: the problem with its `WWW-Authenticate: Bearer` challenge. */
function refusal(
  code: 'ERR_AUTH_MISSING' | 'ERR_AUTH_INVALID' | 'ERR_AUTH_FORBIDDEN',
  message: string,
  error: string | undefined,
  detail?: Record<string, unknown>,
  cause?: unknown,
): AegisError {
  const challenge = `Bearer realm="${REALM}"` + (error ? `, error="${error}"` : '')
  return new AegisError(code, message, {
    ...(detail ? { detail } : {}),
    ...(cause === undefined ? {} : { cause }),
    headers: { 'www-authenticate': challenge, 'cache-control': 'no-store' },
  })
}
