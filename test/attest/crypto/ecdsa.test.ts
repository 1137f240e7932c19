/**
 * ECDSA beyond Wycheproof: real TPM signatures (shared/vectors/tpm2-tools, swtpm + tpm2-tools 5.4),
 * high-S acceptance, key validation (SEC 1 §3.2.2.1) with ERR_KEY_INVALID, the strict DER decoder
 * (X.690 §8.3, §10.1) and the P1363 splitter, the backend switch, and property tests showing the
 * decoders throw nothing but AegisError on arbitrary input.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import akEccPub from '@shared/vectors/tpm2-tools/ak-ecc.pub?bytes'
import quoteEccAttest from '@shared/vectors/tpm2-tools/quote-ecc.attest?bytes'
import quoteEccSig from '@shared/vectors/tpm2-tools/quote-ecc.sig?bytes'
import certifyEccAttest from '@shared/vectors/tpm2-tools/certify-ecc.attest?bytes'
import certifyEccSig from '@shared/vectors/tpm2-tools/certify-ecc.sig?bytes'
import { bigIntToBytes, bytesToBigInt, concat, fromHex } from '../../../attest/bytes/encoding.ts'
import { curveParams } from '../../../attest/crypto/ec-curves.ts'
import {
  parseDerEcdsaSignature,
  splitP1363Signature,
  verifyEcdsa,
} from '../../../attest/crypto/ecdsa.ts'
import type { EcdsaBackend } from '../../../attest/crypto/ecdsa-backend.ts'
import { nobleEcdsaBackend } from '../../../attest/crypto/ecdsa-noble.ts'
import { digest } from '../../../attest/crypto/hash.ts'
import { AegisError } from '../../../attest/errors.ts'
import { parseTpm2bPublic } from '../../../attest/tpm/public.ts'
import { parseTpmtSignature } from '../../../attest/tpm/signature.ts'
import { code } from '../../helpers/error-code.ts'

function tpmVector(attest: Uint8Array, sigBytes: Uint8Array) {
  const ak = parseTpm2bPublic(akEccPub)
  const sig = parseTpmtSignature(sigBytes)
  if (ak.type !== 'ecc' || sig.sigAlg !== 'ecdsa') throw new Error('vector is not ECDSA')
  return { curve: ak.curve, pub: { x: ak.x, y: ak.y }, hash: digest(sig.hashAlg, attest), rs: sig }
}

// Wycheproof ecdsa_secp256r1_sha256_test.json tcId 1 ("signature malleability"), valid.
const W1 = {
  x: fromHex('2927b10512bae3eddcfe467828128bad2903269919f7086069c8c4df6c732838'),
  y: fromHex('c7787964eaac00e5921fb1498a60f4606766b3d9685001558d1a974e7341513e'),
  msg: fromHex('313233343030'),
  r: fromHex('2ba3a8be6b94d5ec80a6d9d1190a436effe50d85a1eee859b8cc6af9bd5c2e18'),
  s: fromHex('4cd60b855d442f5b3c7b11eb6c4e0ae7525fe710fab9aa7c77a67f79e6fadd76'),
}

describe('ECDSA with real TPM signatures', () => {
  it('verifies the swtpm quote and certify signatures by the P-256 AK', () => {
    for (const [attest, sig] of [
      [quoteEccAttest, quoteEccSig],
      [certifyEccAttest, certifyEccSig],
    ] as const) {
      const v = tpmVector(attest, sig)
      expect(v.curve).toBe('P-256')
      expect(verifyEcdsa(v.curve, v.pub, v.hash, v.rs)).toBe(true)
      const tampered = v.hash.slice()
      tampered[0] ^= 1
      expect(verifyEcdsa(v.curve, v.pub, tampered, v.rs)).toBe(false)
    }
  })

  it('accepts the high-S twin of a valid signature (TPMs do not normalise S)', () => {
    const { n } = curveParams('P-256')
    const h = digest('sha256', W1.msg)
    expect(verifyEcdsa('P-256', W1, h, W1)).toBe(true)
    const highS = bigIntToBytes(n - bytesToBigInt(W1.s), 32)
    expect(bytesToBigInt(highS) > n / 2n).toBe(true)
    expect(verifyEcdsa('P-256', W1, h, { r: W1.r, s: highS })).toBe(true)
  })

  it('returns false for r or s of 0 or >= n, and for a message it does not sign', () => {
    const { n } = curveParams('P-256')
    const h = digest('sha256', W1.msg)
    const nB = bigIntToBytes(n, 32)
    expect(verifyEcdsa('P-256', W1, h, { r: new Uint8Array(32), s: W1.s })).toBe(false)
    expect(verifyEcdsa('P-256', W1, h, { r: W1.r, s: new Uint8Array(0) })).toBe(false)
    expect(verifyEcdsa('P-256', W1, h, { r: nB, s: W1.s })).toBe(false)
    expect(
      verifyEcdsa('P-256', W1, h, { r: bigIntToBytes(bytesToBigInt(W1.r) + n, 33), s: W1.s }),
    ).toBe(false)
    expect(verifyEcdsa('P-256', W1, digest('sha256', fromHex('00')), W1)).toBe(false)
  })
})

describe('ECDSA public-key validation', () => {
  const h = digest('sha256', W1.msg)
  it('throws ERR_KEY_INVALID for off-curve, out-of-range, identity-like and wrong-length keys', () => {
    const { p } = curveParams('P-256')
    const yPlus = bigIntToBytes((bytesToBigInt(W1.y) + 1n) % p, 32)
    const cases: Array<[string, { x: Uint8Array; y: Uint8Array }]> = [
      ['off curve', { x: W1.x, y: yPlus }],
      ['(0, 0)', { x: new Uint8Array(32), y: new Uint8Array(32) }],
      ['x >= p (x + p still fits)', { x: bigIntToBytes(p, 32), y: W1.y }],
      ['y + p', { x: W1.x, y: bigIntToBytes(bytesToBigInt(W1.y) + p, 33) }],
      ['short x', { x: W1.x.subarray(1), y: W1.y }],
      ['long y', { x: W1.x, y: concat(new Uint8Array(1), W1.y) }],
      ['P-384 size for P-256', { x: new Uint8Array(48), y: new Uint8Array(48) }],
    ]
    for (const [what, pub] of cases) {
      expect([what, code(() => verifyEcdsa('P-256', pub, h, W1))]).toEqual([
        what,
        'ERR_KEY_INVALID',
      ])
    }
  })
  it('throws ERR_KEY_UNSUPPORTED for a curve it does not know', () => {
    expect(code(() => verifyEcdsa('P-192' as 'P-256', W1, h, W1))).toBe('ERR_KEY_UNSUPPORTED')
  })
})

describe('ECDSA backend parameter', () => {
  it('routes verification to the backend passed, after key validation', () => {
    const calls: string[] = []
    const fake: EcdsaBackend = {
      name: 'fake',
      verify: (curve) => (calls.push(curve), true),
    }
    expect(verifyEcdsa('P-256', W1, new Uint8Array(32), W1, fake)).toBe(true)
    expect(calls).toEqual(['P-256'])
    expect(
      code(() => verifyEcdsa('P-256', { x: W1.x, y: W1.x }, new Uint8Array(32), W1, fake)),
    ).toBe('ERR_KEY_INVALID')
    expect(calls).toHaveLength(1)
    expect(verifyEcdsa('P-256', W1, new Uint8Array(32), W1, nobleEcdsaBackend)).toBe(false)
  })
  it('uses the noble reference when none is passed', () => {
    expect(verifyEcdsa('P-256', W1, new Uint8Array(32), W1)).toBe(false)
    expect(verifyEcdsa('P-256', W1, digest('sha256', fromHex('00')), W1)).toBe(false)
  })
})

/** Minimal DER of SEQUENCE { INTEGER r, INTEGER s } for non-negative r, s (test oracle). */
function derSig(r: bigint, s: bigint): Uint8Array {
  const int = (v: bigint) => {
    let b = v === 0n ? new Uint8Array(1) : bigIntToBytes(v, Math.ceil(v.toString(16).length / 2))
    if (b[0]! & 0x80) b = concat(new Uint8Array(1), b)
    return concat(Uint8Array.of(2, b.length), b)
  }
  const body = concat(int(r), int(s))
  const len = body.length < 128 ? Uint8Array.of(body.length) : Uint8Array.of(0x81, body.length)
  return concat(Uint8Array.of(0x30), len, body)
}

describe('parseDerEcdsaSignature', () => {
  it('decodes minimal DER and strips the sign byte', () => {
    const { r, s } = parseDerEcdsaSignature(fromHex('3008020200ff020201ff'))
    expect(r).toEqual(Uint8Array.of(0xff))
    expect(s).toEqual(Uint8Array.of(1, 0xff))
    expect(parseDerEcdsaSignature(fromHex('3006020100020100')).r).toEqual(Uint8Array.of(0))
  })
  it('throws ERR_SIG_MALFORMED on every DER deviation', () => {
    const bad = {
      empty: '',
      'not a sequence': '3106020101020101',
      'indefinite length': '3080020101020101' + '0000',
      'long-form short length': '308106020101020101',
      'length too long': '3007020101020101',
      'length too short': '3005020101020101',
      'trailing bytes': '302006020101020101'.slice(2) + '00',
      'extra element': '3009020101020101020101',
      'missing s': '3003020101',
      'empty integer': '30050200020101',
      'negative r': '3006020181020101',
      'non-minimal r': '300702020001020101',
      'non-minimal zero': '300702020000020101',
      'wrong inner tag': '3006030101020101',
      'integer overruns sequence': '3006020201020101',
      'non-minimal long length': '30820006020101020101',
    }
    for (const [what, h] of Object.entries(bad)) {
      expect([what, code(() => parseDerEcdsaSignature(fromHex(h)))]).toEqual([
        what,
        'ERR_SIG_MALFORMED',
      ])
    }
  })
  it('round-trips any r, s of up to 66 bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 528n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 528n) - 1n }),
        (r, s) => {
          const parsed = parseDerEcdsaSignature(derSig(r, s))
          expect(bytesToBigInt(parsed.r)).toBe(r)
          expect(bytesToBigInt(parsed.s)).toBe(s)
        },
      ),
    )
  })
  it('throws only AegisError on random and mutated input (property)', () => {
    const valid = derSig(bytesToBigInt(W1.r), bytesToBigInt(W1.s))
    const mutated = fc
      .tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(valid.length))
      .map(([i, v, cut]) => {
        const b = valid.slice()
        b[i] = v
        return b.subarray(0, Math.max(cut, i + 1))
      })
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 160 }), mutated), (b) => {
        try {
          const { r, s } = parseDerEcdsaSignature(b)
          expect(r.length + s.length).toBeGreaterThan(0)
        } catch (e) {
          expect(e).toBeInstanceOf(AegisError)
          expect((e as AegisError).code).toBe('ERR_SIG_MALFORMED')
        }
      }),
      { numRuns: 2000 },
    )
  })
})

describe('splitP1363Signature', () => {
  it('splits r || s at the field size and refuses any other length', () => {
    const sig = concat(W1.r, W1.s)
    const { r, s } = splitP1363Signature(sig, 'P-256')
    expect(r).toEqual(W1.r)
    expect(s).toEqual(W1.s)
    expect(code(() => splitP1363Signature(sig, 'P-384'))).toBe('ERR_SIG_MALFORMED')
    expect(code(() => splitP1363Signature(sig.subarray(1), 'P-256'))).toBe('ERR_SIG_MALFORMED')
  })
})
