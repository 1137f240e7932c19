/**
 * Sealed enrollment challenges: POST /v1/enroll stores nothing. The pending enrollment (the
 * credential secret's hash, expiry and the agent record to commit) travels to the agent as
 * `challenge`, AES-256-GCM under a key derived from the collector secret, with the enrollmentId as
 * associated data, and comes back in the activation body. So no outsider can evict a challenge by
 * enrolling the same (public) EK again, and an EK that never activates costs no storage. Used
 * challenges are remembered by the agent's ledger until they expire (agent-ledger.ts).
 * Layout: base64url(iv (12) || ciphertext || tag (16)). Leaves out key rotation beyond the signing
 * set's own (collector-secret.ts).
 */
import { gcm } from '@noble/ciphers/aes.js'
import { toB64url } from '../../attest/bytes/encoding.ts'
import { AegisError } from '../../attest/errors.ts'
import { collectorSecret } from '../crypto/collector-secret.ts'
import type { PendingEnrollment } from '../ledger/types.ts'

type KeyEnv = { COLLECTOR_SIGNING_JWKS?: string }

export function sealChallenge(env: KeyEnv, p: PendingEnrollment): string {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const key = collectorSecret(env, 'enroll-challenge-v1')
  const aad = new TextEncoder().encode(p.enrollmentId)
  const ct = gcm(key, iv, aad).encrypt(new TextEncoder().encode(JSON.stringify(p)))
  const out = new Uint8Array(12 + ct.length)
  out.set(iv)
  out.set(ct, 12)
  return toB64url(out)
}

/**
 * Open a challenge for `enrollmentId`. A challenge that does not open (another collector secret,
 * another enrollmentId, altered bytes) is ERR_ENROLL_NOT_FOUND; a stale one ERR_ENROLL_EXPIRED.
 */
export function openChallenge(
  env: KeyEnv,
  enrollmentId: string,
  challenge: Uint8Array,
  now = Date.now(),
): PendingEnrollment {
  let p: PendingEnrollment
  try {
    if (challenge.length < 12 + 16) throw new Error('short')
    const key = collectorSecret(env, 'enroll-challenge-v1')
    const aad = new TextEncoder().encode(enrollmentId)
    const plain = gcm(key, challenge.subarray(0, 12), aad).decrypt(challenge.subarray(12))
    p = JSON.parse(new TextDecoder().decode(plain)) as PendingEnrollment
  } catch (e) {
    if (e instanceof AegisError) throw e
    throw new AegisError('ERR_ENROLL_NOT_FOUND', 'no such enrollment challenge', { cause: e })
  }
  if (p.enrollmentId !== enrollmentId)
    throw new AegisError('ERR_ENROLL_NOT_FOUND', 'no such enrollment challenge')
  if (p.expiresAt <= now) throw new AegisError('ERR_ENROLL_EXPIRED', 'enrollment challenge expired')
  return p
}
