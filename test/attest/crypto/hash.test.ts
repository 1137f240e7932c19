/**
 * Digests against the FIPS 180-4 "abc" known answers (NIST CSRC example values), digest lengths,
 * and the TPM_ALG_ID mapping (TPM 2.0 Part 2 §6.3) including its refusals. These run in workerd,
 * where digest() uses node:crypto (nodejs_compat): it must give the JavaScript fallback's bytes
 * (what the browser console computes) at every block boundary, as plain Uint8Arrays of their own.
 */
import { describe, expect, it } from 'vitest'
import { toHex, utf8 } from '../../../attest/bytes/encoding.ts'
import {
  digest,
  digestLength,
  hashAlgFromTpm,
  hmac,
  jsDigest,
  jsHmac,
  NATIVE_DIGEST,
  sha256,
  tpmAlgOfHash,
} from '../../../attest/crypto/hash.ts'
import type { HashAlg } from '../../../attest/tpm/types.ts'
import { code } from '../../helpers/error-code.ts'

const ABC: Record<HashAlg, string> = {
  sha1: 'a9993e364706816aba3e25717850c26c9cd0d89d',
  sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  sha384:
    'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
  sha512:
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
}

describe('digest', () => {
  for (const alg of Object.keys(ABC) as HashAlg[]) {
    it(`${alg} of "abc" matches FIPS 180-4`, () => {
      expect(toHex(digest(alg, utf8('abc')))).toBe(ABC[alg])
      expect(digestLength(alg)).toBe(ABC[alg].length / 2)
    })
  }
  it('runs native code in the worker runtime (node:crypto under nodejs_compat), HMAC too', () => {
    expect(NATIVE_DIGEST).toBe(true)
  })

  it("gives the JavaScript fallback's bytes at every block boundary, for every algorithm", () => {
    const sizes = [0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000, 4096, 100_003]
    for (const alg of Object.keys(ABC) as HashAlg[]) {
      for (const n of sizes) {
        const data = new Uint8Array(n)
        for (let i = 0; i < n; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536))
        expect(toHex(digest(alg, data)), `${alg} of ${n} bytes`).toBe(toHex(jsDigest(alg, data)))
      }
    }
    const view = new Uint8Array(new ArrayBuffer(100), 10, 50).fill(7)
    expect(toHex(sha256(view))).toBe(toHex(jsDigest('sha256', view)))
  })

  it('returns a plain Uint8Array that owns its bytes', () => {
    const a = sha256(utf8('abc'))
    const b = sha256(utf8('abc'))
    expect(Object.getPrototypeOf(a)).toBe(Uint8Array.prototype)
    expect([a.byteOffset, a.byteLength, a.buffer.byteLength]).toEqual([0, 32, 32])
    a[0] = a[0]! ^ 0xff
    expect(toHex(b)).toBe(ABC.sha256)
    expect(toHex(a.slice(1))).toBe(ABC.sha256.slice(2))
  })

  it('refuses unknown names, including inherited object keys', () => {
    expect(code(() => digest('md5' as HashAlg, utf8('abc')))).toBe('ERR_TPM_UNSUPPORTED_ALG')
    expect(code(() => digestLength('constructor' as HashAlg))).toBe('ERR_TPM_UNSUPPORTED_ALG')
  })
})

describe('hmac', () => {
  it('matches RFC 4231 test case 2 (HMAC-SHA-256)', () => {
    expect(toHex(hmac('sha256', utf8('Jefe'), utf8('what do ya want for nothing?')))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    )
    // The message may come in parts.
    expect(
      toHex(hmac('sha256', utf8('Jefe'), utf8('what do ya '), utf8('want for nothing?'))),
    ).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843')
  })

  it("gives the JavaScript fallback's bytes for short, block-sized and long keys and messages", () => {
    const rnd = (n: number) => crypto.getRandomValues(new Uint8Array(n))
    for (const alg of Object.keys(ABC) as HashAlg[]) {
      for (const k of [0, 1, 32, 64, 65, 128, 129, 300]) {
        for (const m of [0, 1, 62, 64, 1000]) {
          const key = rnd(k)
          const msg = rnd(m)
          expect(toHex(hmac(alg, key, msg)), `${alg} key ${k} msg ${m}`).toBe(
            toHex(jsHmac(alg, key, msg)),
          )
        }
      }
    }
  })

  it('refuses unknown names', () => {
    expect(code(() => hmac('md5' as HashAlg, utf8('k'), utf8('m')))).toBe('ERR_TPM_UNSUPPORTED_ALG')
  })
})

describe('TPM_ALG_ID mapping', () => {
  it('maps the four hash ids both ways', () => {
    expect(hashAlgFromTpm(0x0004)).toBe('sha1')
    expect(hashAlgFromTpm(0x000b)).toBe('sha256')
    expect(hashAlgFromTpm(0x000c)).toBe('sha384')
    expect(hashAlgFromTpm(0x000d)).toBe('sha512')
    for (const alg of Object.keys(ABC) as HashAlg[])
      expect(hashAlgFromTpm(tpmAlgOfHash(alg))).toBe(alg)
  })
  it('throws ERR_TPM_UNSUPPORTED_ALG for TPM_ALG_NULL, SM3, SHA3 and non-hash ids', () => {
    for (const id of [0x0010, 0x0012, 0x0027, 0x0001, 0x0000, 0xffff]) {
      expect(code(() => hashAlgFromTpm(id))).toBe('ERR_TPM_UNSUPPORTED_ALG')
    }
    expect(code(() => tpmAlgOfHash('sha3_256' as HashAlg))).toBe('ERR_TPM_UNSUPPORTED_ALG')
  })
})
