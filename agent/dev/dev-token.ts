/**
 * Mint a development role token from a dev-vars file (DEV_ADMIN_JWKS): ES256, with the issuer and
 * audience that dev config trusts. Used by `aegis token`, by `npm run dev` to seed configuration,
 * and by integration tests. Only a worker trusting that file's ACCESS_JWKS accepts the token.
 */
import { importJWK, SignJWT, type JWK } from 'jose'
import { AegisError } from '../../attest/errors.ts'
import { DEV_ACCESS_AUDIENCE, DEV_ACCESS_ISSUER } from '../../scripts/dev-vars.mjs'

export type DevRole = 'operator' | 'auditor' | 'viewer'

export async function mintDevToken(
  devAdminJwks: string | undefined,
  role: DevRole,
  opts: { ttlSeconds?: number; sub?: string; source?: string; jurisdictions?: string[] } = {},
): Promise<string> {
  const key = await adminKey(devAdminJwks, opts.source ?? 'DEV_ADMIN_JWKS')
  const now = Math.floor(Date.now() / 1000)
  const scope = opts.jurisdictions ? { jurisdictions: opts.jurisdictions } : {}
  return new SignJWT({ roles: [role], ...scope })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: key.kid })
    .setIssuer(DEV_ACCESS_ISSUER)
    .setAudience(DEV_ACCESS_AUDIENCE)
    .setSubject(opts.sub ?? `dev-${role}`)
    .setIssuedAt(now)
    .setExpirationTime(now + (opts.ttlSeconds ?? 3600))
    .setJti(crypto.randomUUID())
    .sign(key.key)
}

async function adminKey(
  text: string | undefined,
  source: string,
): Promise<{ kid: string; key: CryptoKey }> {
  let jwk: JWK | undefined
  try {
    jwk = (JSON.parse(text ?? '') as { keys?: JWK[] }).keys?.[0]
  } catch (cause) {
    throw new AegisError('ERR_CONFIG', `DEV_ADMIN_JWKS in ${source} is not valid JSON`, { cause })
  }
  if (!jwk || typeof jwk.kid !== 'string' || typeof jwk.d !== 'string') {
    throw new AegisError('ERR_CONFIG', `DEV_ADMIN_JWKS in ${source} has no private key with a kid`)
  }
  try {
    return { kid: jwk.kid, key: (await importJWK(jwk, 'ES256')) as CryptoKey }
  } catch (cause) {
    throw new AegisError('ERR_CONFIG', `DEV_ADMIN_JWKS in ${source} is not an ES256 private key`, {
      cause,
    })
  }
}
