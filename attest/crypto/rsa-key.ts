/**
 * RSA public-key checks shared by the RSA operations (RFC 8017 §3.1): the modulus is odd and at
 * least `minBits` (default 2048, NIST SP 800-131A) and at most 16384 bits (a bound on work, not a
 * security rule); the exponent is odd, at least 3 and below the modulus. Too small or too large ->
 * ERR_KEY_UNSUPPORTED; structurally impossible -> ERR_KEY_INVALID. Leaves out primality and
 * small-factor checks, which a verifier cannot do cheaply and which do not affect verification.
 */
import { bytesToBigInt } from '../bytes/encoding.ts'
import { AegisError } from '../errors.ts'

export interface RsaPublicKeyInput {
  n: Uint8Array
  e: number | bigint
}

export interface RsaKey {
  n: bigint
  e: bigint
  /** Modulus length in bits. */
  bits: number
  /** Modulus length in bytes (k in RFC 8017). */
  k: number
}

export const DEFAULT_MIN_RSA_BITS = 2048
const MAX_RSA_BITS = 16384

export function rsaKey(pub: RsaPublicKeyInput, minBits = DEFAULT_MIN_RSA_BITS): RsaKey {
  if (!pub || !(pub.n instanceof Uint8Array))
    throw new AegisError('ERR_KEY_INVALID', 'RSA modulus missing')
  const n = bytesToBigInt(pub.n)
  const bits = n === 0n ? 0 : n.toString(2).length
  if (bits > MAX_RSA_BITS)
    throw new AegisError('ERR_KEY_UNSUPPORTED', `RSA modulus of ${bits} bits is too large`)
  if (bits < minBits) {
    throw new AegisError('ERR_KEY_UNSUPPORTED', `RSA modulus of ${bits} bits is below ${minBits}`, {
      detail: { bits, minBits },
    })
  }
  if ((n & 1n) === 0n) throw new AegisError('ERR_KEY_INVALID', 'RSA modulus is even')
  let e: bigint
  if (typeof pub.e === 'bigint') e = pub.e
  else if (Number.isSafeInteger(pub.e)) e = BigInt(pub.e)
  else throw new AegisError('ERR_KEY_INVALID', 'RSA exponent is not an integer')
  if (e < 3n || (e & 1n) === 0n || e >= n)
    throw new AegisError('ERR_KEY_INVALID', 'RSA exponent out of range')
  return { n, e, bits, k: Math.ceil(bits / 8) }
}
