/**
 * The one place the collector signs: a compact JWS (RFC 7515 §7.1) over the UTF-8 JSON of
 * `payload`, ES256 with the first collector key, protected header {alg, typ, kid}. Every token
 * type sets its own `typ` (RFC 8725 §3.11) so no collector token can stand in for another.
 * Signed with WebCrypto directly (ECDSA P-256 / SHA-256, whose signature is already the JWS form
 * r || s, RFC 7518 §3.4) and the encoded header kept per key and type: one per accepted batch (its
 * receipt), where jose's CompactSign spent a fifth of the signing time on checks and copies of a
 * header that never changes. Any JOSE library verifies the result
 * (test/worker/tokens/collector-tokens.test.ts verifies every token type with jose).
 * Leaves out unprotected headers and detached payloads.
 */
import { toB64url, utf8 } from '../../attest/bytes/encoding.ts'
import { BoundedCache } from '../auth/bounded-cache.ts'
import { collectorKeys, type CollectorKeyEnv } from './collector-keys.ts'

const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const

/** Encoded protected headers by kid and typ (a handful: one per token type and key). */
const headers = new BoundedCache<string>(64)

function protectedHeader(kid: string, typ: string): string {
  const k = `${kid}\n${typ}`
  let h = headers.get(k)
  if (h === undefined) {
    h = toB64url(utf8(JSON.stringify({ alg: 'ES256', typ, kid })))
    headers.set(k, h)
  }
  return h
}

export async function signCompact(
  env: CollectorKeyEnv,
  typ: string,
  payload: object,
): Promise<string> {
  const { signingKey, signingKid } = await collectorKeys(env)
  const input = `${protectedHeader(signingKid, typ)}.${toB64url(utf8(JSON.stringify(payload)))}`
  const sig = await crypto.subtle.sign(ECDSA_SHA256, signingKey, utf8(input))
  return `${input}.${toB64url(new Uint8Array(sig))}`
}
