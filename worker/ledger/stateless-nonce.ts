/**
 * Stateless batch nonces: issuing one writes nothing, so nobody can evict an agent's nonce by
 * asking for more. A nonce is 32 bytes (the wire size agents already use):
 *   version (1, = 0x01) || random (9) || expiresAt (6, ms since epoch, big-endian) || tag (16)
 * tag = first 16 bytes of HMAC-SHA-256(K, "aegis-nonce-v1" || agentId (32) || version..expiresAt),
 * K derived from the collector secret (worker/crypto/collector-secret.ts). The tag binds the nonce
 * to one agent and its expiry; the ledger only remembers nonces that were spent, until they expire
 * (agent-ledger.ts). Leaves out revocation of single nonces (an agent's revocation covers them).
 */
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { constantTimeEqual, fromHex, toB64url } from '../../attest/bytes/encoding.ts'
import { AegisError } from '../../attest/errors.ts'
import { collectorSecret } from '../crypto/collector-secret.ts'

export const NONCE_BYTES = 32
/** The longest nonce lifetime the collector issues, whatever the policy asks. */
export const MAX_NONCE_TTL_S = 120
const VERSION = 0x01
const LABEL = new TextEncoder().encode('aegis-nonce-v1')

type KeyEnv = { COLLECTOR_SIGNING_JWKS?: string }

/**
 * HMAC keyed once per derived key and isolate: each tag clones the keyed state instead of hashing
 * the padded key again (two SHA-256 blocks of every tag). Replaced when the key changes (a new
 * collector secret), which collectorSecret answers with another array.
 */
let keyed: { key: Uint8Array; mac: ReturnType<typeof hmac.create> } | undefined

function tag(env: KeyEnv, agentId: string, body: Uint8Array): Uint8Array {
  const key = collectorSecret(env, 'nonce-mac-v1')
  if (keyed?.key !== key) keyed = { key, mac: hmac.create(sha256, key) }
  const m = keyed.mac.clone()
  m.update(LABEL)
  m.update(fromHex(agentId))
  m.update(body)
  return m.digest().subarray(0, 16)
}

export function issueNonce(
  env: KeyEnv,
  agentId: string,
  ttlSeconds: number,
  now = Date.now(),
): { nonce: string; expiresAt: number } {
  const expiresAt = now + Math.min(Math.max(ttlSeconds, 1), MAX_NONCE_TTL_S) * 1000
  const n = new Uint8Array(NONCE_BYTES)
  n[0] = VERSION
  crypto.getRandomValues(n.subarray(1, 10))
  writeU48(n, 10, expiresAt)
  n.set(tag(env, agentId, n.subarray(0, 16)), 16)
  return { nonce: toB64url(n), expiresAt }
}

/**
 * Check a nonce presented by `agentId`: issued by this collector to this agent (else
 * ERR_NONCE_UNKNOWN), not expired (ERR_NONCE_EXPIRED). Returns its expiry. Whether it was spent is
 * the ledger's question.
 */
export function checkNonce(
  env: KeyEnv,
  agentId: string,
  nonce: Uint8Array,
  now = Date.now(),
): number {
  if (nonce.length !== NONCE_BYTES || nonce[0] !== VERSION) {
    throw new AegisError('ERR_NONCE_UNKNOWN', 'nonce was not issued by this collector')
  }
  if (!constantTimeEqual(tag(env, agentId, nonce.subarray(0, 16)), nonce.subarray(16))) {
    throw new AegisError('ERR_NONCE_UNKNOWN', 'nonce was not issued to this agent')
  }
  const expiresAt = readU48(nonce, 10)
  if (expiresAt <= now) {
    throw new AegisError('ERR_NONCE_EXPIRED', 'nonce expired', {
      detail: { expiresAt: new Date(expiresAt).toISOString() },
    })
  }
  if (expiresAt > now + MAX_NONCE_TTL_S * 1000 + 5_000) {
    // Only a different collector secret could have made this; treat as foreign.
    throw new AegisError('ERR_NONCE_UNKNOWN', 'nonce expiry is beyond what this collector issues')
  }
  return expiresAt
}

function writeU48(b: Uint8Array, at: number, v: number): void {
  for (let i = 5; i >= 0; i--) {
    b[at + i] = v % 256
    v = Math.floor(v / 256)
  }
}

function readU48(b: Uint8Array, at: number): number {
  let v = 0
  for (let i = 0; i < 6; i++) v = v * 256 + b[at + i]!
  return v
}
