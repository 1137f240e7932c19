/**
 * RSASSA-PSS verification (RFC 8017 §8.1.2 with EMSA-PSS-VERIFY §9.1.2), MGF1 with the same hash
 * as the message. With `saltLength` undefined the salt length is recovered from the padding, so
 * both TPM conventions (salt = digest length, or the maximum the modulus allows) verify; with a
 * number, exactly that length is required. Leaves out a different MGF1 hash (TPMs and the
 * certificate profiles in scope never use one).
 */
import { bigIntToBytes, bytesToBigInt, concat, constantTimeEqual } from '../bytes/encoding.ts'
import type { HashAlg } from '../tpm/types.ts'
import { digest, digestLength } from './hash.ts'
import { mgf1 } from './mgf1.ts'
import { modPow } from './modpow.ts'
import { rsaKey, type RsaPublicKeyInput } from './rsa-key.ts'

export function verifyRsaPss(
  pub: RsaPublicKeyInput,
  hashAlg: HashAlg,
  msgHash: Uint8Array,
  sig: Uint8Array,
  opts: { saltLength?: number; minBits?: number } = {},
): boolean {
  const key = rsaKey(pub, opts.minBits)
  const hLen = digestLength(hashAlg)
  if (msgHash.length !== hLen) return false
  if (sig.length !== key.k) return false
  const s = bytesToBigInt(sig)
  if (s >= key.n) return false
  const m = modPow(s, key.e, key.n)
  // §8.1.2 step 2c: EM = I2OSP(m, emLen) with emBits = modBits - 1.
  const emBits = key.bits - 1
  const emLen = Math.ceil(emBits / 8)
  if (m >> BigInt(emLen * 8) !== 0n) return false
  const em = bigIntToBytes(m, emLen)
  return emsaPssVerify(hashAlg, msgHash, em, emBits, opts.saltLength)
}

function emsaPssVerify(
  hashAlg: HashAlg,
  mHash: Uint8Array,
  em: Uint8Array,
  emBits: number,
  saltLength: number | undefined,
): boolean {
  const hLen = mHash.length
  const emLen = em.length
  if (saltLength !== undefined && (!Number.isInteger(saltLength) || saltLength < 0)) return false
  if (emLen < hLen + (saltLength ?? 0) + 2) return false
  if (em[emLen - 1] !== 0xbc) return false
  const dbLen = emLen - hLen - 1
  const maskedDB = em.subarray(0, dbLen)
  const h = em.subarray(dbLen, dbLen + hLen)
  const zeroBits = 8 * emLen - emBits
  const topMask = (0xff << (8 - zeroBits)) & 0xff
  if (maskedDB[0]! & topMask) return false
  const db = mgf1(hashAlg, h, dbLen)
  for (let i = 0; i < dbLen; i++) db[i] ^= maskedDB[i]!
  db[0]! &= ~topMask & 0xff
  // The padding string PS is zeros followed by 0x01; the salt is everything after it.
  let i = 0
  while (i < dbLen && db[i] === 0) i++
  if (i >= dbLen || db[i] !== 0x01) return false
  const salt = db.subarray(i + 1)
  if (saltLength !== undefined && salt.length !== saltLength) return false
  const mPrime = concat(new Uint8Array(8), mHash, salt)
  return constantTimeEqual(digest(hashAlg, mPrime), h)
}
