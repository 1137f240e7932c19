/**
 * KDFe: the TPM's SP 800-56A concatenation KDF for ECDH-derived secrets (TPM 2.0 Part 1
 * §11.4.10.3).
 *   K(i) = H_hashAlg([i]_32 || Z || label || 0x00 || partyUInfo || partyVInfo)
 * for i = 1, 2, ... concatenated and cut to `bits`. Z is the x-coordinate of the shared point,
 * partyUInfo the x-coordinate of the ephemeral (sender's) public key, partyVInfo that of the
 * recipient's key, each as the body of its TPM2B_ECC_PARAMETER. The 0x00 separator follows the
 * label unless the label already ends in one (TPM 2.0 Part 4 CryptKDFe). Unused high bits of the
 * first byte are cleared when `bits` is not a multiple of 8; zero bits gives an empty result.
 * Leaves out the ECDH itself (see make-credential.ts).
 */
import { concat } from '../bytes/encoding.ts'
import { ByteWriter } from '../bytes/writer.ts'
import { digest } from '../crypto/hash.ts'
import { AegisError } from '../errors.ts'
import type { HashAlg } from '../tpm/types.ts'
import { kdfLabel } from './kdfa.ts'

export function kdfe(
  hashAlg: HashAlg,
  z: Uint8Array,
  label: string | Uint8Array,
  partyUInfo: Uint8Array,
  partyVInfo: Uint8Array,
  bits: number,
): Uint8Array {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffff * 8) {
    throw new AegisError('ERR_INTERNAL', `KDFe: invalid output size ${bits} bits`)
  }
  const bytes = Math.ceil(bits / 8)
  const other = concat(z, kdfLabel(label), partyUInfo, partyVInfo)
  const out = new Uint8Array(bytes)
  for (let i = 1, off = 0; off < bytes; i++) {
    const k = digest(hashAlg, concat(new ByteWriter().u32(i).finish(), other))
    out.set(k.subarray(0, Math.min(k.length, bytes - off)), off)
    off += k.length
  }
  if (bits % 8 !== 0) out[0]! &= (1 << (bits % 8)) - 1
  return out
}
