/**
 * The keys role tokens may be signed with: the local JWK set in ACCESS_JWKS, the remote JWK set at
 * ACCESS_JWKS_URL (jose createRemoteJWKSet: fetched lazily, cached, re-fetched on an unknown
 * `kid` after a cooldown), or both (local first, remote when no local key matches). Returns
 * undefined when neither is configured, so callers deny by default. Parsed sets are cached per
 * isolate, keyed by the secret's text or the URL. Leaves out symmetric keys and private keys:
 * a trust source holds public keys only (RFC 7517 §5 JWK Set; RFC 8725 §3.1 algorithm pinning is
 * done by the verifier's allow-list).
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose'
import { AegisError } from '../../attest/errors.ts'
import { BoundedCache } from './bounded-cache.ts'
import type { AccessEnv } from './types.ts'

const localSets = new BoundedCache<JWTVerifyGetKey | null>(4)
const remoteSets = new BoundedCache<JWTVerifyGetKey>(4)

/** The issuer `aegis token` mints for (scripts/dev-vars.mjs DEV_ACCESS_ISSUER). */
export const DEV_ISSUER = 'aegis-dev'
/** Development keys carry this kid prefix (scripts/dev-vars.mjs): refused outside development. */
export const DEV_KID_PREFIX = 'dev-'

export function accessKeyResolver(env: AccessEnv, production = false): JWTVerifyGetKey | undefined {
  const local = withoutDevKeys(localKeySet(env.ACCESS_JWKS), production)
  const remote = remoteKeySet(env.ACCESS_JWKS_URL)
  if (local && remote) {
    return async (header, token) => {
      try {
        return await local(header, token)
      } catch (e) {
        if (e instanceof errors.JWKSNoMatchingKey) return remote(header, token)
        throw e
      }
    }
  }
  return local ?? remote
}

/** In production a token naming a development key is refused before any key lookup. */
function withoutDevKeys(
  set: JWTVerifyGetKey | undefined,
  production: boolean,
): JWTVerifyGetKey | undefined {
  if (!set || !production) return set
  return async (header, token) => {
    if (header.kid?.startsWith(DEV_KID_PREFIX)) throw new errors.JWKSNoMatchingKey()
    return set(header, token)
  }
}

function localKeySet(text: string | undefined): JWTVerifyGetKey | undefined {
  if (text === undefined || text.trim() === '') return undefined
  let set = localSets.get(text)
  if (set === undefined) {
    set = parseLocalSet(text)
    localSets.set(text, set)
  }
  // An empty set (`{"keys":[]}`) is how a deployment that trusts only the remote URL says so.
  return set ?? undefined
}

function parseLocalSet(text: string): JWTVerifyGetKey | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    throw new AegisError('ERR_INTERNAL', 'ACCESS_JWKS is not valid JSON', { cause })
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(keys)) {
    throw new AegisError('ERR_INTERNAL', 'ACCESS_JWKS is not a JWK set ({"keys": [...]})')
  }
  if (keys.length === 0) return null
  keys.forEach((k: unknown, i) => {
    if (typeof k !== 'object' || k === null) {
      throw new AegisError('ERR_INTERNAL', `ACCESS_JWKS key #${i + 1} is not a JWK object`)
    }
    const jwk = k as JWK
    if (jwk.kty !== 'EC' && jwk.kty !== 'RSA' && jwk.kty !== 'OKP') {
      throw new AegisError('ERR_INTERNAL', `ACCESS_JWKS key #${i + 1} has an unsupported kty`)
    }
    // A private member in a trust source means a private key was pasted where a public one belongs.
    if ('d' in jwk || 'p' in jwk || 'q' in jwk || 'k' in jwk) {
      throw new AegisError('ERR_INTERNAL', `ACCESS_JWKS key #${i + 1} is not a public key`)
    }
  })
  try {
    return createLocalJWKSet(parsed as JSONWebKeySet)
  } catch (cause) {
    throw new AegisError('ERR_INTERNAL', 'ACCESS_JWKS is not a valid JWK set', { cause })
  }
}

function remoteKeySet(url: string | undefined): JWTVerifyGetKey | undefined {
  if (url === undefined || url.trim() === '') return undefined
  let set = remoteSets.get(url)
  if (set === undefined) {
    let u: URL
    try {
      u = new URL(url)
    } catch (cause) {
      throw new AegisError('ERR_INTERNAL', 'ACCESS_JWKS_URL is not a URL', { cause })
    }
    if (u.protocol !== 'https:') {
      throw new AegisError('ERR_INTERNAL', 'ACCESS_JWKS_URL must be an https URL')
    }
    set = unavailableAsInternal(
      createRemoteJWKSet(u, {
        timeoutDuration: 3000,
        cooldownDuration: 30_000,
        cacheMaxAge: 600_000,
      }),
    )
    remoteSets.set(url, set)
  }
  return set
}

/**
 * A remote set that cannot be fetched or parsed is the server's fault, not the token's: surface it
 * as ERR_INTERNAL (still a refusal) and keep "no key for this token" as the token's failure.
 */
function unavailableAsInternal(remote: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await remote(header, token)
    } catch (e) {
      if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys)
        throw e
      if (e instanceof errors.JOSENotSupported) throw e
      throw new AegisError('ERR_INTERNAL', 'ACCESS_JWKS_URL key set is unavailable', { cause: e })
    }
  }
}
