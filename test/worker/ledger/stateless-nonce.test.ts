/**
 * Stateless nonces (worker/ledger/stateless-nonce.ts): the tag is the first 16 bytes of
 * HMAC-SHA-256(K, label || agentId || version..expiresAt), computed here independently; the HMAC
 * keyed once per isolate gives the same tags nonce after nonce, and a new collector secret is
 * not served from the old key.
 */
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { describe, expect, it } from 'vitest'
import { bytesEqual, fromB64url, fromHex, utf8 } from '../../../attest/bytes/encoding.ts'
import { AegisError } from '../../../attest/errors.ts'
import { collectorSecret } from '../../../worker/crypto/collector-secret.ts'
import { checkNonce, issueNonce } from '../../../worker/ledger/stateless-nonce.ts'

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
})
