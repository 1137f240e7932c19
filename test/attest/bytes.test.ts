import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import ekRsaPub from '@shared/vectors/tpm2-tools/ek-rsa.pub?bytes'
import {
  ENCODER,
  fromB64url,
  fromHex,
  toB64url,
  toHex,
  constantTimeEqual,
} from '../../attest/bytes/encoding.ts'
import { AegisError } from '../../attest/errors.ts'
import { checkEncodersMatchReference } from '../helpers/encoders-equivalence.ts'

describe('encodings', () => {
  it('encode natively in the worker runtime, with the JavaScript reference bytes', () => {
    expect(ENCODER).toBe('native')
    checkEncodersMatchReference()
  })

  it('round-trips base64url and hex', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        expect(fromB64url(toB64url(b))).toEqual(b)
        expect(fromHex(toHex(b))).toEqual(b)
      }),
    )
  })
  it('rejects padding, the standard alphabet and non-canonical bits', () => {
    for (const bad of ['AA==', 'A+B/', 'AB', 'A', 'AAA\n']) {
      expect(() => fromB64url(bad)).toThrow(AegisError)
    }
    expect(fromB64url('AA')).toEqual(new Uint8Array([0]))
  })
  it('compares in constant time with correct results', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true)
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false)
    expect(constantTimeEqual(new Uint8Array([1]), new Uint8Array([1, 0]))).toBe(false)
  })
  it('loads binary vectors inside workerd', () => {
    // TPM2B_PUBLIC: u16 size then TPMT_PUBLIC whose type is TPM_ALG_RSA (0x0001)
    expect((ekRsaPub[0]! << 8) | ekRsaPub[1]!).toBe(ekRsaPub.length - 2)
    expect((ekRsaPub[2]! << 8) | ekRsaPub[3]!).toBe(0x0001)
  })
})
