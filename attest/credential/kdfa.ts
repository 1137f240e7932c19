/**
 * KDFa: the TPM's SP 800-108 KDF in counter mode with HMAC as the PRF (TPM 2.0 Part 1 §11.4.10.2).
 *   K(i) = HMAC_hashAlg(key, [i]_32 || label || 0x00 || contextU || contextV || [bits]_32)
 * for i = 1, 2, ... concatenated and cut to `bits`. The 0x00 separator is added only when the
 * label does not already end in one (TPM 2.0 Part 4 CryptKDFa), so "STORAGE" and "STORAGE\0" give
 * the same key. contextU / contextV are the bodies of the TPM2B arguments (no size field).
 * When `bits` is not a multiple of 8 the unused high bits of the first byte are cleared, as Part 1
 * specifies; credential protection only asks for whole bytes.
 * Zero bits gives an empty result, as in the reference code.
 * Leaves out the TPM's optional counter-in/out and block-count arguments (used by the DRBG only).
 */
import { concat, utf8 } from '../bytes/encoding.ts'
import { ByteWriter } from '../bytes/writer.ts'
import { AegisError } from '../errors.ts'
import type { HashAlg } from '../tpm/types.ts'
import { hmac } from '../crypto/hash.ts'

/** Label bytes followed by exactly one terminating 0x00 (Part 1 §11.4.10.2, Part 4 CryptKDFa). */
export function kdfLabel(label: string | Uint8Array): Uint8Array {
  const b = typeof label === 'string' ? utf8(label) : label
  return b.length > 0 && b[b.length - 1] === 0 ? b : concat(b, new Uint8Array(1))
}

export function kdfa(
  hashAlg: HashAlg,
  key: Uint8Array,
  label: string | Uint8Array,
  contextU: Uint8Array,
  contextV: Uint8Array,
  bits: number,
): Uint8Array {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffff * 8) {
    throw new AegisError('ERR_INTERNAL', `KDFa: invalid output size ${bits} bits`)
  }
  const bytes = Math.ceil(bits / 8)
  const fixed = concat(kdfLabel(label), contextU, contextV, new ByteWriter().u32(bits).finish())
  const out = new Uint8Array(bytes)
  for (let i = 1, off = 0; off < bytes; i++) {
    const k = hmac(hashAlg, key, new ByteWriter().u32(i).finish(), fixed)
    out.set(k.subarray(0, Math.min(k.length, bytes - off)), off)
    off += k.length
  }
  if (bits % 8 !== 0) out[0]! &= (1 << (bits % 8)) - 1
  return out
}
