/**
 * The AK's RFC 7638 JWK thumbprint (SHA-256, base64url): the value of `cnf.jkt` in attestation
 * tokens (RFC 7800 §3.1, RFC 9449 §6.1), so a relying party holding the AK's public key, or a JWK
 * of it, recomputes it with any JOSE library. Chosen over a hash of the TPM Name because `jkt` is
 * defined as exactly this thumbprint; the TPM Name travels beside it in `por.akName`.
 * The JWK is built per RFC 7518 §6.2.1 (EC: x/y left-padded to the field size) and §6.3.1 (RSA:
 * n and e without leading zero octets). Leaves out key validation: the AK was checked at enrollment.
 */
import { calculateJwkThumbprint, type JWK } from 'jose'
import { AegisError } from '../../attest/errors.ts'
import { toB64url } from '../../attest/bytes/encoding.ts'
import type { EccCurve, TpmPublic } from '../../attest/tpm/types.ts'

const FIELD_BYTES: Record<EccCurve, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 }

export function akPublicJwk(ak: TpmPublic): JWK {
  if (ak.type === 'ecc') {
    const size = FIELD_BYTES[ak.curve]
    return {
      kty: 'EC',
      crv: ak.curve,
      x: toB64url(leftPad(ak.x, size)),
      y: toB64url(leftPad(ak.y, size)),
    }
  }
  if (ak.type === 'rsa') {
    return { kty: 'RSA', n: toB64url(stripZeros(ak.modulus)), e: toB64url(uintBytes(ak.exponent)) }
  }
  throw new AegisError('ERR_KEY_UNSUPPORTED', 'AK type has no JWK form')
}

export function akThumbprint(ak: TpmPublic): Promise<string> {
  return calculateJwkThumbprint(akPublicJwk(ak), 'sha256')
}

function leftPad(b: Uint8Array, size: number): Uint8Array {
  const s = stripZeros(b)
  if (s.length > size)
    throw new AegisError('ERR_KEY_INVALID', 'EC coordinate longer than the field')
  const out = new Uint8Array(size)
  out.set(s, size - s.length)
  return out
}

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0
  while (i < b.length - 1 && b[i] === 0) i++
  return b.subarray(i)
}

function uintBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new AegisError('ERR_KEY_INVALID', 'RSA exponent invalid')
  const out: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256)
  return Uint8Array.from(out)
}
