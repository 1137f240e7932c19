/**
 * Stateless nonces (worker/ledger/stateless-nonce.ts): the tag is the first 16 bytes of
 * HMAC-SHA-256(K, label || agentId || version..ttl), computed here independently (with
 * @noble/hashes; the collector uses node:crypto), the same nonce after nonce, and a new collector
 * secret is not served from the old key. Version 2 carries its issue time and lifetime, and order keys
 * follow issue order; a version 1 nonce, correctly tagged, is refused.
 */
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { describe, expect, it } from 'vitest'
import { bytesEqual, fromB64url, fromHex, utf8 } from '../../../attest/bytes/encoding.ts'
import { AegisError } from '../../../attest/errors.ts'
import { collectorSecret } from '../../../worker/crypto/collector-secret.ts'
import {
  checkNonce,
  issueNonce,
  nonceOrder,
  orderIssuedAt,
} from '../../../worker/ledger/stateless-nonce.ts'

const AGENT = 'ab'.repeat(32)
const envA = { COLLECTOR_SIGNING_JWKS: '{"keys":["secret A"]}' }
const envB = { COLLECTOR_SIGNING_JWKS: '{"keys":["secret B"]}' }

function expectedTag(env: typeof envA, agentId: string, head: Uint8Array): Uint8Array {
  const key = collectorSecret(env, 'nonce-mac-v1')
  const msg = new Uint8Array([...utf8('aegis-nonce-v1'), ...fromHex(agentId), ...head])
  return hmac(sha256, key, msg).subarray(0, 16)
}

function code(f: () => unknown): string | null {
  try {
    f()
    return null
  } catch (e) {
    if (e instanceof AegisError) return e.code
    throw e
  }
}

describe('stateless nonces', () => {
  it('tags every nonce with the HMAC of its head, nonce after nonce', () => {
    for (let i = 0; i < 5; i++) {
      const n = fromB64url(issueNonce(envA, AGENT, 60).nonce)
      expect(n.length).toBe(32)
      expect(bytesEqual(n.subarray(16), expectedTag(envA, AGENT, n.subarray(0, 16)))).toBe(true)
    }
  })

  it('a nonce is bound to its agent and to the secret that issued it', () => {
    const a = issueNonce(envA, AGENT, 60)
    const b = issueNonce(envB, AGENT, 60)
    expect(checkNonce(envA, AGENT, fromB64url(a.nonce))).toBe(a.expiresAt)
    expect(code(() => checkNonce(envB, AGENT, fromB64url(a.nonce)))).toBe('ERR_NONCE_UNKNOWN')
    expect(checkNonce(envB, AGENT, fromB64url(b.nonce))).toBe(b.expiresAt)
    expect(code(() => checkNonce(envA, AGENT, fromB64url(b.nonce)))).toBe('ERR_NONCE_UNKNOWN')
    expect(checkNonce(envA, AGENT, fromB64url(a.nonce))).toBe(a.expiresAt)
    expect(code(() => checkNonce(envA, 'cd'.repeat(32), fromB64url(a.nonce)))).toBe(
      'ERR_NONCE_UNKNOWN',
    )
  })

  it('lays out version, issue time, lifetime and tag; expiry follows from them', () => {
    const now = 1_765_000_000_123
    const { nonce, expiresAt } = issueNonce(envA, AGENT, 45, now)
    const n = fromB64url(nonce)
    expect(n[0]).toBe(2)
    const issuedAt = n.subarray(1, 7).reduce((v, b) => v * 256 + b, 0)
    expect(issuedAt).toBe(now)
    expect(n[15]).toBe(45)
    expect(expiresAt).toBe(now + 45_000)
    expect(checkNonce(envA, AGENT, n, now + 44_999)).toBe(expiresAt)
    expect(code(() => checkNonce(envA, AGENT, n, now + 45_000))).toBe('ERR_NONCE_EXPIRED')
    expect(orderIssuedAt(nonceOrder(n))).toBe(now)
    // Issued more than 5 s in the checker's future: not a clock this collector runs.
    expect(code(() => checkNonce(envA, AGENT, n, now - 5_001))).toBe('ERR_NONCE_UNKNOWN')
    expect(checkNonce(envA, AGENT, n, now - 5_000)).toBe(expiresAt)
  })

  it('orders keys as issued: by time, then by the isolate count within one millisecond', () => {
    const now = Date.now()
    const keys = Array.from({ length: 50 }, (_, i) =>
      nonceOrder(fromB64url(issueNonce(envA, AGENT, 60, now + Math.floor(i / 10)).nonce)),
    )
    expect(keys.every((k) => k.length === 30)).toBe(true)
    for (let i = 1; i < keys.length; i++) expect(keys[i]! > keys[i - 1]!, `key ${i}`).toBe(true)
    // notBefore lifts the issue time past a nonce from a clock that ran ahead.
    const later = fromB64url(issueNonce(envA, AGENT, 60, now, now + 3_000).nonce)
    expect(orderIssuedAt(nonceOrder(later))).toBe(now + 3_000)
  })

  it('refuses a version 1 nonce (no issue time to order it by), even correctly tagged', () => {
    const now = Date.now()
    const v1 = new Uint8Array(32)
    v1[0] = 1
    crypto.getRandomValues(v1.subarray(1, 10))
    let t = now + 60_000
    for (let i = 15; i >= 10; i--) {
      v1[i] = t % 256
      t = Math.floor(t / 256)
    }
    v1.set(expectedTag(envA, AGENT, v1.subarray(0, 16)), 16)
    expect(code(() => checkNonce(envA, AGENT, v1, now))).toBe('ERR_NONCE_UNKNOWN')
  })

  it('refuses a lifetime this collector never issues, even correctly tagged', () => {
    const now = Date.now()
    for (const ttl of [0, 121, 255]) {
      const n = fromB64url(issueNonce(envA, AGENT, 60, now).nonce)
      n[15] = ttl
      n.set(expectedTag(envA, AGENT, n.subarray(0, 16)), 16)
      expect(
        code(() => checkNonce(envA, AGENT, n, now)),
        `ttl ${ttl}`,
      ).toBe('ERR_NONCE_UNKNOWN')
    }
  })
})
