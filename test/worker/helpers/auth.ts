/** Role tokens for workerd tests, minted with the dev admin key the test pool was given. */
import { importJWK, SignJWT, type JWK } from 'jose'
import { env } from 'cloudflare:workers'

type Role = 'operator' | 'auditor' | 'viewer'
const e = env as unknown as Env & { DEV_ADMIN_JWKS: string; ACCESS_ISSUER: string; ACCESS_AUDIENCE: string }

export async function roleToken(role: Role, opts: { ttl?: number; sub?: string } = {}): Promise<string> {
  const jwk = (JSON.parse(e.DEV_ADMIN_JWKS) as { keys: JWK[] }).keys[0]!
  const key = await importJWK(jwk, 'ES256')
  return new SignJWT({ roles: [role] })
    .setProtectedHeader({ alg: 'ES256', kid: jwk.kid! })
    .setIssuer(e.ACCESS_ISSUER)
    .setAudience(e.ACCESS_AUDIENCE)
    .setSubject(opts.sub ?? `test-${role}`)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (opts.ttl ?? 300))
    .sign(key)
}

export async function authHeaders(role: Role): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await roleToken(role)}`, 'content-type': 'application/json' }
}
