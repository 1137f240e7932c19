/**
 * RSA beyond Wycheproof: real TPM RSASSA signatures (shared/vectors/tpm2-tools), key checks
 * (minimum size, exponent) with their codes, PSS salt-length handling for both TPM conventions
 * (signatures made here with the Wycheproof OAEP test key's private exponent, RFC 8017 §9.1.1),
 * OAEP encryption (deterministic with a given seed, length limit) and modPow against a plain
 * square-and-multiply oracle (fast-check).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import oaep from '@shared/vectors/wycheproof/rsa_oaep_2048_sha256_mgf1sha256_test.json'
import akRsaPub from '@shared/vectors/tpm2-tools/ak-rsa.pub?bytes'
import quoteRsaAttest from '@shared/vectors/tpm2-tools/quote-rsa.attest?bytes'
import quoteRsaSig from '@shared/vectors/tpm2-tools/quote-rsa.sig?bytes'
import {
  bigIntToBytes,
  bytesToBigInt,
  concat,
  fromHex,
  utf8,
} from '../../../attest/bytes/encoding.ts'
import { digest, digestLength } from '../../../attest/crypto/hash.ts'
import { mgf1 } from '../../../attest/crypto/mgf1.ts'
import { modPow } from '../../../attest/crypto/modpow.ts'
import {
  rsaOaepDecrypt,
  rsaOaepEncrypt,
  verifyRsaPkcs1v15,
  verifyRsaPss,
} from '../../../attest/crypto/rsa.ts'
import { parseTpm2bPublic } from '../../../attest/tpm/public.ts'
import { parseTpmtSignature } from '../../../attest/tpm/signature.ts'
import type { HashAlg } from '../../../attest/tpm/types.ts'
import { code } from '../../helpers/error-code.ts'

const key = oaep.testGroups[0]!.privateKey!
// Wycheproof writes the modulus as a signed integer (leading 00); use its 256-byte form.
const n = bigIntToBytes(bytesToBigInt(fromHex(key.modulus)), 256)
const d = fromHex(key.privateExponent)
const pub = { n, e: 65537 }
const N = bytesToBigInt(n)
const K = 256

/** Test-only EMSA-PSS-ENCODE (RFC 8017 §9.1.1) + RSASP1, for a 2048-bit modulus (emBits 2047). */
function pssSign(hash: HashAlg, mHash: Uint8Array, salt: Uint8Array): Uint8Array {
  const hLen = digestLength(hash)
  const emLen = K
  const h = digest(hash, concat(new Uint8Array(8), mHash, salt))
  const db = new Uint8Array(emLen - hLen - 1)
  db[db.length - salt.length - 1] = 1
  db.set(salt, db.length - salt.length)
  const mask = mgf1(hash, h, db.length)
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i]!
  db[0]! &= 0x7f
  const em = concat(db, h, Uint8Array.of(0xbc))
  return bigIntToBytes(modPow(bytesToBigInt(em), bytesToBigInt(d), N), K)
}

describe('RSA PKCS#1 v1.5', () => {
  it('verifies the swtpm RSA AK quote signature and rejects a changed message', () => {
    const ak = parseTpm2bPublic(akRsaPub)
    const sig = parseTpmtSignature(quoteRsaSig)
    if (ak.type !== 'rsa' || sig.sigAlg !== 'rsassa') throw new Error('vector is not RSASSA')
    const k = { n: ak.modulus, e: ak.exponent }
    const h = digest(sig.hashAlg, quoteRsaAttest)
    expect(verifyRsaPkcs1v15(k, sig.hashAlg, h, sig.sig)).toBe(true)
    expect(verifyRsaPkcs1v15(k, sig.hashAlg, digest(sig.hashAlg, utf8('x')), sig.sig)).toBe(false)
    expect(verifyRsaPkcs1v15(k, 'sha384', digest('sha384', quoteRsaAttest), sig.sig)).toBe(false)
    // Signature must be exactly k bytes: a leading zero byte is not tolerated.
    expect(verifyRsaPkcs1v15(k, sig.hashAlg, h, concat(new Uint8Array(1), sig.sig))).toBe(false)
    expect(verifyRsaPkcs1v15(k, sig.hashAlg, h.subarray(1), sig.sig)).toBe(false)
  })
})

describe('RSA key checks', () => {
  const h = digest('sha256', utf8('m'))
  const sig = new Uint8Array(128)
  const small = { n: concat(Uint8Array.of(0xc0), new Uint8Array(126), Uint8Array.of(1)), e: 65537 }
  it('refuses keys under 2048 bits with ERR_KEY_UNSUPPORTED unless minBits allows them', () => {
    expect(code(() => verifyRsaPkcs1v15(small, 'sha256', h, sig))).toBe('ERR_KEY_UNSUPPORTED')
    expect(code(() => verifyRsaPss(small, 'sha256', h, sig))).toBe('ERR_KEY_UNSUPPORTED')
    expect(code(() => rsaOaepEncrypt(small, 'sha256', new Uint8Array(0), utf8('s')))).toBe(
      'ERR_KEY_UNSUPPORTED',
    )
    expect(verifyRsaPkcs1v15(small, 'sha256', h, sig, { minBits: 1024 })).toBe(false)
    expect(verifyRsaPss(small, 'sha256', h, sig, { minBits: 1024 })).toBe(false)
  })
  it('refuses impossible keys with ERR_KEY_INVALID', () => {
    const even = { n: concat(n.subarray(0, 255), Uint8Array.of(2)), e: 65537 }
    expect(code(() => verifyRsaPkcs1v15(even, 'sha256', h, sig))).toBe('ERR_KEY_INVALID')
    for (const e of [1, 2, 65536, 0, -3, 1.5]) {
      expect([e, code(() => verifyRsaPkcs1v15({ n, e }, 'sha256', h, sig))]).toEqual([
        e,
        'ERR_KEY_INVALID',
      ])
    }
    expect(code(() => verifyRsaPkcs1v15({ n, e: N + 2n }, 'sha256', h, sig))).toBe(
      'ERR_KEY_INVALID',
    )
  })
  it('returns false, not an error, for a signature >= n', () => {
    expect(verifyRsaPkcs1v15(pub, 'sha256', h, new Uint8Array(K).fill(0xff))).toBe(false)
    expect(verifyRsaPss(pub, 'sha256', h, n)).toBe(false)
  })
})

describe('RSASSA-PSS salt lengths', () => {
  const mHash = digest('sha256', utf8('quote'))
  const maxSalt = K - 32 - 2
  for (const sLen of [0, 20, 32, maxSalt]) {
    it(`salt ${sLen}: verifies with the length left open or given exactly, fails with another`, () => {
      const sig = pssSign('sha256', mHash, new Uint8Array(sLen).fill(0x5a))
      expect(verifyRsaPss(pub, 'sha256', mHash, sig)).toBe(true)
      expect(verifyRsaPss(pub, 'sha256', mHash, sig, { saltLength: sLen })).toBe(true)
      expect(verifyRsaPss(pub, 'sha256', mHash, sig, { saltLength: sLen === 32 ? 20 : 32 })).toBe(
        false,
      )
      const other = mHash.slice()
      other[31] ^= 1
      expect(verifyRsaPss(pub, 'sha256', other, sig)).toBe(false)
    })
  }
  it('works with SHA-384 and SHA-512 as well', () => {
    for (const hash of ['sha384', 'sha512'] as const) {
      const m = digest(hash, utf8('quote'))
      const sig = pssSign(hash, m, new Uint8Array(digestLength(hash)).fill(7))
      expect(verifyRsaPss(pub, hash, m, sig)).toBe(true)
      expect(verifyRsaPss(pub, 'sha256', digest('sha256', utf8('quote')), sig)).toBe(false)
    }
  })
})

describe('RSAES-OAEP', () => {
  const label = utf8('IDENTITY\0')
  it('is deterministic for a given seed and round-trips with the TPM credential label', () => {
    const seed = new Uint8Array(32).fill(0x11)
    const secret = new Uint8Array(32).fill(0x42)
    const a = rsaOaepEncrypt(pub, 'sha256', label, secret, seed)
    const b = rsaOaepEncrypt(pub, 'sha256', label, secret, seed)
    expect(a).toEqual(b)
    expect(rsaOaepEncrypt(pub, 'sha256', label, secret)).not.toEqual(a)
    expect(rsaOaepDecrypt({ n, d }, 'sha256', label, a)).toEqual(secret)
    expect(code(() => rsaOaepDecrypt({ n, d }, 'sha256', utf8('IDENTITY'), a))).toBe(
      'ERR_INPUT_MALFORMED',
    )
  })
  it('encrypts up to k - 2hLen - 2 bytes and refuses more', () => {
    const max = K - 2 * 32 - 2
    const c = rsaOaepEncrypt(pub, 'sha256', label, new Uint8Array(max).fill(1))
    expect(rsaOaepDecrypt({ n, d }, 'sha256', label, c).length).toBe(max)
    expect(code(() => rsaOaepEncrypt(pub, 'sha256', label, new Uint8Array(max + 1)))).toBe(
      'ERR_INPUT_TOO_LARGE',
    )
  })
})

describe('modPow', () => {
  function naive(b: bigint, e: bigint, m: bigint): bigint {
    let r = 1n % m
    b %= m
    while (e > 0n) {
      if (e & 1n) r = (r * b) % m
      b = (b * b) % m
      e >>= 1n
    }
    return r
  }
  it('agrees with plain square-and-multiply (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 1n << 700n }),
        fc.bigInt({ min: 0n, max: 1n << 700n }),
        fc.bigInt({ min: 1n, max: 1n << 600n }),
        (b, e, m) => {
          expect(modPow(b, e, m)).toBe(naive(b, e, m))
        },
      ),
      { numRuns: 200 },
    )
  })
})
