/**
 * Keys for the collector's stateless tokens (nonces, sealed enrollment challenges), derived with
 * HKDF-SHA-256 (RFC 5869) from the collector's signing secret COLLECTOR_SIGNING_JWKS, so no new
 * secret has to be provisioned: one `info` label per purpose keeps the keys independent. Rotating
 * the signing set changes every derived key, which only voids nonces (<= 120 s) and enrollment
 * challenges (5 min) outstanding at that moment (docs/keys.md). Cached per isolate, keyed by the
 * secret's text and the label. Leaves out a separate MAC secret.
 */
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { AegisError } from '../../attest/errors.ts'
import { BoundedCache } from '../auth/bounded-cache.ts'

export type SecretPurpose = 'nonce-mac-v1' | 'enroll-challenge-v1'

const SALT = new TextEncoder().encode('aegis-edge collector-secret')
const cache = new BoundedCache<Uint8Array>(8)

export function collectorSecret(
  env: { COLLECTOR_SIGNING_JWKS?: string },
  purpose: SecretPurpose,
): Uint8Array {
  const text = env.COLLECTOR_SIGNING_JWKS
  if (typeof text !== 'string' || text.trim() === '') {
    throw new AegisError('ERR_INTERNAL', 'COLLECTOR_SIGNING_JWKS is not configured')
  }
  const id = `${purpose}\n${text}`
  let key = cache.get(id)
  if (key === undefined) {
    key = hkdf(sha256, new TextEncoder().encode(text), SALT, new TextEncoder().encode(purpose), 32)
    cache.set(id, key)
  }
  return key
}
