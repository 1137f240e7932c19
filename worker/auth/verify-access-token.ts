/**
 * Verifies a role token (a JWT from Cloudflare Access or minted by `aegis token` in dev) and
 * returns the principal it names. Checks, via jose: signature by a trusted key (access-keys.ts),
 * `alg` in {ES256, RS256, EdDSA}, `iss` and `aud` equal to the configured values, `exp` present
 * and not passed, `nbf`/`iat` not in the future, 30 s clock tolerance. Outside development the
 * development issuer and keys (kid `dev-*`, from `aegis token`) are never trusted (RFC 7519 §4.1, RFC 8725
 * §3.1/§3.8/§3.11). A `typ`, when present, must say JWT, so receipts and EAR tokens, which carry
 * their own `typ`, never pass as role tokens. Every failure of the token itself is
 * ERR_AUTH_INVALID; configuration faults and an unreachable remote key set are ERR_INTERNAL.
 * Deny by default: no trust source, issuer or audience configured means no token verifies.
 * Leaves out token revocation and role mapping from IdP group names (docs/access.md).
 */
import {
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyResult,
} from 'jose'
import { AegisError } from '../../attest/errors.ts'
import { isDevelopment } from '../config/defaults.ts'
import { accessKeyResolver, DEV_ISSUER } from './access-keys.ts'
import { jurisdictionsClaim } from '../residency/scope.ts'
import { isRole, ROLES, type Role } from './roles.ts'
import type { AccessEnv, Principal } from './types.ts'

export const ACCESS_ALGORITHMS = ['ES256', 'RS256', 'EdDSA']
export const ACCESS_CLOCK_TOLERANCE_S = 30
const DEFAULT_ROLES_CLAIM = 'roles'
const ALLOWED_TYP = new Set(['jwt', 'application/jwt', 'at+jwt', 'application/at+jwt'])

export async function verifyAccessToken(env: AccessEnv, token: string): Promise<Principal> {
  const production = !isDevelopment(env)
  const resolver = accessKeyResolver(env, production)
  // Development trust never applies in production, whatever .dev.vars or the vars say.
  const issuer = list(env.ACCESS_ISSUER).filter((i) => !(production && i === DEV_ISSUER))
  const audience = list(env.ACCESS_AUDIENCE)
  if (!resolver || issuer.length === 0 || audience.length === 0) {
    throw new AegisError('ERR_AUTH_INVALID', 'No trust source for access tokens is configured', {
      detail: { reason: 'unconfigured' },
    })
  }
  const options = {
    issuer,
    audience,
    algorithms: ACCESS_ALGORITHMS,
    clockTolerance: ACCESS_CLOCK_TOLERANCE_S,
    requiredClaims: ['exp'],
  }
  let result: JWTVerifyResult
  try {
    result = await verifyWithAnyKey(token, resolver, options)
  } catch (e) {
    throw translateJoseError(e)
  }
  const { payload, protectedHeader } = result
  // jose checks nbf but not iat (RFC 7519 leaves it informative): a token "issued" in the future
  // is refused beyond the same clock tolerance (RFC 8725 §3.10 guidance on time claims).
  if (
    typeof payload.iat === 'number' &&
    payload.iat > Date.now() / 1000 + ACCESS_CLOCK_TOLERANCE_S
  ) {
    throw invalid('not_yet_valid', 'Token was issued in the future')
  }
  if (protectedHeader.typ !== undefined && !ALLOWED_TYP.has(protectedHeader.typ.toLowerCase())) {
    throw invalid('typ', 'Token type is not an access token')
  }
  const sub = subjectOf(payload)
  if (sub === undefined) throw invalid('claims', 'Token names no subject')
  const jurisdictions = jurisdictionsClaim(payload)
  return {
    sub,
    roles: rolesOf(payload, env.ACCESS_ROLES_CLAIM?.trim() || DEFAULT_ROLES_CLAIM),
    iss: payload.iss as string,
    ...(jurisdictions ? { jurisdictions } : {}),
  }
}

/**
 * jose leaves a set with several keys matching the header (no `kid`, or a repeated `kid`) to the
 * caller: try each candidate, and fail as the first candidate failed if none verifies.
 */
async function verifyWithAnyKey(
  token: string,
  resolver: JWTVerifyGetKey,
  options: Parameters<typeof jwtVerify>[2],
): Promise<JWTVerifyResult> {
  try {
    return await jwtVerify(token, resolver, options)
  } catch (e) {
    if (!(e instanceof errors.JWKSMultipleMatchingKeys)) throw e
    let first: unknown
    for await (const key of e as unknown as AsyncIterable<CryptoKey>) {
      try {
        return await jwtVerify(token, key, options)
      } catch (inner) {
        first ??= inner
        // Only a signature mismatch means "try the next key"; anything else fails the token.
        if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw inner
      }
    }
    throw first ?? new errors.JWKSNoMatchingKey()
  }
}

function translateJoseError(e: unknown): AegisError {
  if (e instanceof AegisError) return e
  if (e instanceof errors.JWTExpired) return invalid('expired', 'Token has expired', e)
  if (e instanceof errors.JWTClaimValidationFailed) {
    const reason =
      e.claim === 'nbf' || e.claim === 'iat'
        ? 'not_yet_valid'
        : e.claim === 'iss'
          ? 'issuer'
          : e.claim === 'aud'
            ? 'audience'
            : 'claims'
    return invalid(reason, 'Token claims are not acceptable', e)
  }
  if (e instanceof errors.JWSSignatureVerificationFailed) {
    return invalid('signature', 'Token signature does not verify', e)
  }
  if (e instanceof errors.JOSEAlgNotAllowed || e instanceof errors.JOSENotSupported) {
    return invalid('algorithm', 'Token algorithm is not allowed', e)
  }
  if (e instanceof errors.JWKSNoMatchingKey)
    return invalid('unknown_key', 'Token key is not trusted', e)
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) {
    return invalid('malformed', 'Token is malformed', e)
  }
  // A key in the trusted set that does not fit the token's alg (e.g. an RSA key under ES256).
  if (e instanceof errors.JWKInvalid || e instanceof TypeError) {
    return invalid('key_mismatch', 'Token key does not fit its algorithm', e)
  }
  return new AegisError('ERR_INTERNAL', 'Access token verification failed', { cause: e })
}

function invalid(reason: string, message: string, cause?: unknown): AegisError {
  return new AegisError('ERR_AUTH_INVALID', message, { cause, detail: { reason } })
}

function list(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

function subjectOf(p: JWTPayload): string | undefined {
  if (typeof p.sub === 'string' && p.sub !== '') return p.sub
  // Cloudflare Access service tokens carry an empty sub and the client id as common_name.
  const cn = (p as { common_name?: unknown }).common_name
  return typeof cn === 'string' && cn !== '' ? cn : undefined
}

function rolesOf(p: JWTPayload, claim: string): Role[] {
  let v: unknown = (p as Record<string, unknown>)[claim]
  // Namespaced claim names (`https://example.com/roles`) contain dots: the exact name wins.
  if (v === undefined && claim.includes('.')) {
    v = claim.split('.').reduce<unknown>((o, k) => {
      return typeof o === 'object' && o !== null && Object.hasOwn(o, k)
        ? (o as Record<string, unknown>)[k]
        : undefined
    }, p)
  }
  const names = typeof v === 'string' ? v.split(/[\s,]+/) : Array.isArray(v) ? v : []
  const held = new Set(names.filter(isRole))
  return ROLES.filter((r) => held.has(r))
}
