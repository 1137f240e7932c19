/**
 * Test helper: role tokens minted with jose, by default like `aegis token` does (dev admin key
 * from the DEV_ADMIN_JWKS test binding, dev issuer and audience, a roles claim), with every field
 * overridable so each test changes exactly one thing. Not a test file itself.
 */
import { env } from 'cloudflare:workers'
import { base64url, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose'

export interface TestKey {
  kid: string | undefined
  key: CryptoKey
  alg: string
}

export const bindings = env as unknown as {
  ACCESS_JWKS: string
  ACCESS_ISSUER: string
  ACCESS_AUDIENCE: string
  DEV_ADMIN_JWKS: string
  COLLECTOR_SIGNING_JWKS: string
}

let admin: Promise<TestKey> | undefined
export function adminKey(): Promise<TestKey> {
  admin ??= (async () => {
    const jwk = (JSON.parse(bindings.DEV_ADMIN_JWKS) as { keys: JWK[] }).keys[0]!
    return { kid: jwk.kid, key: (await importJWK(jwk, 'ES256')) as CryptoKey, alg: 'ES256' }
  })()
  return admin
}

export interface MintOptions {
  roles?: unknown
  claims?: JWTPayload & Record<string, unknown>
  header?: Record<string, unknown>
  key?: TestKey
  /** seconds relative to now; null leaves the claim out */
  exp?: number | null
  nbf?: number
}

export async function mint(o: MintOptions = {}): Promise<string> {
  const k = o.key ?? (await adminKey())
  const now = Math.floor(Date.now() / 1000)
  const payload: JWTPayload & Record<string, unknown> = {
    iss: bindings.ACCESS_ISSUER,
    aud: bindings.ACCESS_AUDIENCE,
    sub: 'test-user',
    iat: now,
    ...(o.exp === null ? {} : { exp: now + (o.exp ?? 300) }),
    ...(o.nbf === undefined ? {} : { nbf: now + o.nbf }),
    ...(o.roles === undefined ? {} : { roles: o.roles }),
    ...o.claims,
  }
  const header = { alg: k.alg, typ: 'JWT', ...(k.kid ? { kid: k.kid } : {}), ...o.header }
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(k.key)
}

/** An unsecured JWT (RFC 7519 §6): `alg: none`, empty signature. */
export function unsecured(payload: Record<string, unknown>): string {
  const enc = (v: unknown) => base64url.encode(JSON.stringify(v))
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(payload)}.`
}
