/**
 * The collector's signing keys, from COLLECTOR_SIGNING_JWKS: a JSON JWK set (RFC 7517 §5) of ES256
 * (P-256) private keys, each with a unique `kid`. The FIRST key signs; every key is published, so
 * rotation is: prepend a new key, wait out the longest token lifetime, remove the old one
 * (docs/keys.md). The signing key is self-tested once (sign, then verify with its published public
 * half) so a pasted key whose x/y do not match its d cannot publish an unusable key. Parsed keys
 * are cached per isolate, keyed by the secret's text. A missing or bad set is ERR_INTERNAL with a
 * message that names the key by position and kid only, never its material.
 * Leaves out other algorithms: receipts, EAR tokens and tree heads are ES256 only.
 */
import { importJWK, type JWK } from 'jose'
import { AegisError } from '../../attest/errors.ts'
import { BoundedCache } from '../auth/bounded-cache.ts'

export interface CollectorKeyEnv {
  COLLECTOR_SIGNING_JWKS?: string
}

/** A published key: only the public members, whatever else the secret carried. */
export interface CollectorPublicJwk {
  kty: 'EC'
  crv: 'P-256'
  x: string
  y: string
  kid: string
  alg: 'ES256'
  use: 'sig'
}

export interface CollectorKeys {
  signingKid: string
  signingKey: CryptoKey
  publicKeys: CollectorPublicJwk[]
}

const cache = new BoundedCache<Promise<CollectorKeys>>(4)

export function collectorKeys(env: CollectorKeyEnv): Promise<CollectorKeys> {
  const text = env.COLLECTOR_SIGNING_JWKS
  if (typeof text !== 'string' || text.trim() === '') {
    return Promise.reject(new AegisError('ERR_INTERNAL', 'COLLECTOR_SIGNING_JWKS is not set'))
  }
  let keys = cache.get(text)
  if (keys === undefined) {
    keys = load(text)
    cache.set(text, keys)
    // A failed load is not worth keeping: the error is re-raised, and the next call retries.
    keys.catch(() => cache.delete(text))
  }
  return keys
}

async function load(text: string): Promise<CollectorKeys> {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    throw new AegisError('ERR_INTERNAL', 'COLLECTOR_SIGNING_JWKS is not valid JSON', { cause })
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new AegisError(
      'ERR_INTERNAL',
      'COLLECTOR_SIGNING_JWKS must be a JWK set with at least one key',
    )
  }
  const seen = new Set<string>()
  const publicKeys = keys.map((k: unknown, i): CollectorPublicJwk => {
    const pub = checkPrivateJwk(k, i)
    if (seen.has(pub.kid)) throw bad(i, `repeats kid "${pub.kid}"`)
    seen.add(pub.kid)
    return pub
  })
  const privates = await Promise.all(
    keys.map(async (k: JWK, i) => {
      try {
        return await importJWK({ ...k, ext: false, key_ops: ['sign'] }, 'ES256', {
          extractable: false,
        })
      } catch (cause) {
        throw bad(i, `(kid "${publicKeys[i]!.kid}") does not import as an ES256 private key`, cause)
      }
    }),
  )
  const signingKey = privates[0] as CryptoKey
  await selfTest(signingKey, publicKeys[0]!)
  return { signingKid: publicKeys[0]!.kid, signingKey, publicKeys }
}

function checkPrivateJwk(k: unknown, i: number): CollectorPublicJwk {
  if (typeof k !== 'object' || k === null) throw bad(i, 'is not a JWK object')
  const j = k as Record<string, unknown>
  if (typeof j.kid !== 'string' || j.kid === '') throw bad(i, 'has no kid')
  const kid = j.kid
  if (j.kty !== 'EC' || j.crv !== 'P-256') throw bad(i, `(kid "${kid}") is not an EC P-256 key`)
  if (j.alg !== undefined && j.alg !== 'ES256')
    throw bad(i, `(kid "${kid}") has alg other than ES256`)
  if (j.use !== undefined && j.use !== 'sig') throw bad(i, `(kid "${kid}") has use other than sig`)
  for (const m of ['x', 'y', 'd'] as const) {
    if (typeof j[m] !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(j[m] as string)) {
      throw bad(i, `(kid "${kid}") lacks a valid "${m}" (a private P-256 key is required)`)
    }
  }
  return {
    kty: 'EC',
    crv: 'P-256',
    x: j.x as string,
    y: j.y as string,
    kid,
    alg: 'ES256',
    use: 'sig',
  }
}

async function selfTest(priv: CryptoKey, pub: CollectorPublicJwk): Promise<void> {
  const alg = { name: 'ECDSA', hash: 'SHA-256' }
  const msg = new TextEncoder().encode('aegis-edge collector key self-test')
  const ok = await crypto.subtle
    .importKey('jwk', pub, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
    .then(async (k) => crypto.subtle.verify(alg, k, await crypto.subtle.sign(alg, priv, msg), msg))
    .catch(() => false)
  if (!ok)
    throw new AegisError(
      'ERR_INTERNAL',
      `COLLECTOR_SIGNING_JWKS key #1 (kid "${pub.kid}") x/y do not match d`,
    )
}

function bad(i: number, what: string, cause?: unknown): AegisError {
  return new AegisError('ERR_INTERNAL', `COLLECTOR_SIGNING_JWKS key #${i + 1} ${what}`, { cause })
}
