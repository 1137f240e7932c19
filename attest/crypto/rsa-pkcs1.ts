/**
 * RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) by re-encoding, not parsing: the expected
 * EMSA-PKCS1-v1_5 block (§9.2: 00 01 FF..FF 00 DigestInfo) is built from the digest and compared
 * in full with the recovered block, so no BER leniency or garbage-after-hash forgery can slip
 * through. The DigestInfo always carries the NULL parameters (RFC 8017 §9.2 note 1). The signature
 * must be exactly the modulus length. Leaves out the legacy DigestInfo without NULL.
 */
import {
  bigIntToBytes,
  bytesToBigInt,
  concat,
  constantTimeEqual,
  fromHex,
} from '../bytes/encoding.ts'
import type { HashAlg } from '../tpm/types.ts'
import { digestLength } from './hash.ts'
import { modPow } from './modpow.ts'
import { rsaKey, type RsaPublicKeyInput } from './rsa-key.ts'

/** DER of DigestInfo up to (and including) the OCTET STRING header, RFC 8017 §9.2 note 1. */
const DIGEST_INFO_PREFIX: Record<HashAlg, Uint8Array> = {
  sha1: fromHex('3021300906052b0e03021a05000414'),
  sha256: fromHex('3031300d060960864801650304020105000420'),
  sha384: fromHex('3041300d060960864801650304020205000430'),
  sha512: fromHex('3051300d060960864801650304020305000440'),
}

export function emsaPkcs1v15Encode(
  hashAlg: HashAlg,
  msgHash: Uint8Array,
  k: number,
): Uint8Array | undefined {
  const t = concat(DIGEST_INFO_PREFIX[hashAlg], msgHash)
  // §9.2 step 3: at least 8 bytes of 0xFF padding.
  if (k < t.length + 11) return undefined
  const em = new Uint8Array(k).fill(0xff)
  em[0] = 0x00
  em[1] = 0x01
  em[k - t.length - 1] = 0x00
  em.set(t, k - t.length)
  return em
}

export function verifyRsaPkcs1v15(
  pub: RsaPublicKeyInput,
  hashAlg: HashAlg,
  msgHash: Uint8Array,
  sig: Uint8Array,
  opts: { minBits?: number } = {},
): boolean {
  const key = rsaKey(pub, opts.minBits)
  if (msgHash.length !== digestLength(hashAlg)) return false
  if (sig.length !== key.k) return false
  const s = bytesToBigInt(sig)
  if (s >= key.n) return false
  const expected = emsaPkcs1v15Encode(hashAlg, msgHash, key.k)
  if (!expected) return false
  return constantTimeEqual(bigIntToBytes(modPow(s, key.e, key.n), key.k), expected)
}
