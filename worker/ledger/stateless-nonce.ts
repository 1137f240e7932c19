/**
 * Stateless batch nonces: issuing one writes nothing, so nobody can evict an agent's nonce by
 * asking for more. A nonce is 32 bytes (the wire size agents already use):
 *   version (1, = 0x02) || issuedAt (6, ms since epoch, big-endian) || count (4) || random (4)
 *   || ttl (1, s) || tag (16)
 * count rises by one per nonce this isolate issues (from a random start): the Workers clock stands
 * still while code runs, so two nonces issued in one turn share issuedAt and the count orders them.
 * tag = first 16 bytes of HMAC-SHA-256(K, "aegis-nonce-v1" || agentId (32) || version..ttl),
 * K derived from the collector secret (worker/crypto/collector-secret.ts). The tag binds the nonce
 * to one agent, its issue time and its lifetime (expiresAt = issuedAt + ttl).
 * Nonces are spent in the order they were issued: the ledger keeps the order key (`nonceOrder`:
 * issuedAt, count, random, ttl) of the last nonce it spent in its replay state and refuses any
 * nonce whose key is not greater, so it remembers one key per agent instead of every spent nonce
 * until it expires (agent-ledger.ts; docs/protocol.md). Version 0x01 nonces (random, then
 * expiresAt) are refused as unknown: they carry no issue time to order them by; an agent holding
 * one asks anew.
 * Leaves out revocation of single nonces (an agent's revocation covers them).
 */
import { hmac } from '../../attest/crypto/hash.ts'
import { constantTimeEqual, fromHex, toB64url, toHex } from '../../attest/bytes/encoding.ts'
import { AegisError } from '../../attest/errors.ts'
import { collectorSecret } from '../crypto/collector-secret.ts'

export const NONCE_BYTES = 32
/** The longest nonce lifetime the collector issues, whatever the policy asks. */
export const MAX_NONCE_TTL_S = 120
const VERSION = 0x02
const LABEL = new TextEncoder().encode('aegis-nonce-v1')

type KeyEnv = { COLLECTOR_SIGNING_JWKS?: string }

/** The MAC of a nonce head: node:crypto's HMAC in workerd (attest/crypto/hash.ts). */
function tag(env: KeyEnv, agentId: string, body: Uint8Array): Uint8Array {
  return hmac(
    'sha256',
    collectorSecret(env, 'nonce-mac-v1'),
    LABEL,
    fromHex(agentId),
    body,
  ).subarray(0, 16)
}

/**
 * Nonces issued by this isolate, from a random start below 2^31 (wraps after 2^31 more); set on
 * first use (Workers refuse random values in the global scope).
 */
let count: number | undefined

/**
 * A fresh nonce for `agentId`, valid `ttlSeconds` (1 to MAX_NONCE_TTL_S). `notBefore` (ms) lifts
 * its issue time: the ledger issues each reply's next nonce after the one it just spent, whatever
 * the clock of the isolate that issued that one said.
 */
export function issueNonce(
  env: KeyEnv,
  agentId: string,
  ttlSeconds: number,
  now = Date.now(),
  notBefore = 0,
): { nonce: string; expiresAt: number } {
  const ttl = Math.min(Math.max(Math.round(ttlSeconds), 1), MAX_NONCE_TTL_S)
  const issuedAt = Math.max(now, notBefore)
  const n = new Uint8Array(NONCE_BYTES)
  n[0] = VERSION
  writeU48(n, 1, issuedAt)
  count = ((count ?? crypto.getRandomValues(new Uint32Array(1))[0]! >>> 1) + 1) >>> 0
  new DataView(n.buffer).setUint32(7, count)
  crypto.getRandomValues(n.subarray(11, 15))
  n[15] = ttl
  n.set(tag(env, agentId, n.subarray(0, 16)), 16)
  return { nonce: toB64url(n), expiresAt: issuedAt + ttl * 1000 }
}

/**
 * Check a nonce presented by `agentId`: issued by this collector to this agent (else
 * ERR_NONCE_UNKNOWN), not expired (ERR_NONCE_EXPIRED). Returns its expiry. Whether it comes after
 * the last one spent is the ledger's question (`nonceOrder`).
 */
export function checkNonce(
  env: KeyEnv,
  agentId: string,
  nonce: Uint8Array,
  now = Date.now(),
): number {
  if (nonce.length !== NONCE_BYTES || nonce[0] !== VERSION) {
    throw new AegisError('ERR_NONCE_UNKNOWN', 'nonce was not issued by this collector', {
      detail: { hint: 'ask GET /v1/agents/{agentId}/nonce for a fresh nonce' },
    })
  }
  if (!constantTimeEqual(tag(env, agentId, nonce.subarray(0, 16)), nonce.subarray(16))) {
    throw new AegisError('ERR_NONCE_UNKNOWN', 'nonce was not issued to this agent')
  }
  const issuedAt = readU48(nonce, 1)
  const ttl = nonce[15]!
  if (ttl < 1 || ttl > MAX_NONCE_TTL_S || issuedAt > now + 5_000) {
    // Only a different collector secret could have made this; treat as foreign.
    throw new AegisError('ERR_NONCE_UNKNOWN', 'nonce is beyond what this collector issues')
  }
  const expiresAt = issuedAt + ttl * 1000
  if (expiresAt <= now) {
    throw new AegisError('ERR_NONCE_EXPIRED', 'nonce expired', {
      detail: { expiresAt: new Date(expiresAt).toISOString() },
    })
  }
  return expiresAt
}

/**
 * The order key of a checked nonce: issuedAt, count, random and ttl as 30 hex digits, so keys
 * compare as strings in issue order (within one isolate; two isolates' nonces of one millisecond
 * are ordered by their counts, arbitrarily).
 */
export function nonceOrder(nonce: Uint8Array): string {
  return toHex(nonce.subarray(1, 16))
}

/** The issue time (ms) in an order key. */
export function orderIssuedAt(order: string): number {
  return parseInt(order.slice(0, 12), 16)
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
