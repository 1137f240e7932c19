/**
 * ekCertMatchesPublic / assertEkCertMatches with the swtpm EK certificates and the EK public
 * areas tpm2-tools read from the same TPM (RSA-2048 and P-384), and with edited keys.
 */
import { describe, expect, it } from 'vitest'
import { concat } from '../../../attest/bytes/encoding.ts'
import { parseTpm2bPublic } from '../../../attest/tpm/public.ts'
import type { TpmPublic } from '../../../attest/tpm/types.ts'
import { assertEkCertMatches, ekCertMatchesPublic } from '../../../attest/x509/ek-match.ts'
import { parseCertificate } from '../../../attest/x509/parse-certificate.ts'
import { codeOf, swtpm } from './fixtures.ts'

const rsaCert = parseCertificate(swtpm.ekRsaCertDer)
const eccCert = parseCertificate(swtpm.ekEccCertDer)
const rsaEk = parseTpm2bPublic(swtpm.ekRsaPub)
const eccEk = parseTpm2bPublic(swtpm.ekEccPub)

describe('EK certificate vs EK public', () => {
  it('matches each certificate with its own EK', () => {
    expect(ekCertMatchesPublic(rsaCert, rsaEk)).toBe(true)
    expect(ekCertMatchesPublic(eccCert, eccEk)).toBe(true)
    expect(() => assertEkCertMatches(rsaCert, rsaEk)).not.toThrow()
    expect(() => assertEkCertMatches(eccCert, eccEk)).not.toThrow()
  })
  it('refuses the other EK with ERR_CERT_EK_MISMATCH', () => {
    expect(ekCertMatchesPublic(rsaCert, eccEk)).toBe(false)
    expect(ekCertMatchesPublic(eccCert, rsaEk)).toBe(false)
    expect(codeOf(() => assertEkCertMatches(rsaCert, eccEk))).toBe('ERR_CERT_EK_MISMATCH')
    expect(codeOf(() => assertEkCertMatches(eccCert, rsaEk))).toBe('ERR_CERT_EK_MISMATCH')
  })
  it('compares every part of the key', () => {
    if (rsaEk.type !== 'rsa' || eccEk.type !== 'ecc') throw new Error('unexpected EK types')
    const flip = (b: Uint8Array, i: number) => {
      const c = b.slice()
      c[i] ^= 1
      return c
    }
    const variants: Array<[string, TpmPublic, boolean]> = [
      ['modulus bit', { ...rsaEk, modulus: flip(rsaEk.modulus, 100) }, false],
      ['exponent', { ...rsaEk, exponent: 3 }, false],
      [
        'leading zero on the modulus',
        { ...rsaEk, modulus: concat(new Uint8Array(1), rsaEk.modulus) },
        true,
      ],
      ['x bit', { ...eccEk, x: flip(eccEk.x, 0) }, false],
      ['y bit', { ...eccEk, y: flip(eccEk.y, 47) }, false],
      ['curve', { ...eccEk, curve: 'P-256' }, false],
    ]
    for (const [what, ek, want] of variants) {
      const cert = ek.type === 'rsa' ? rsaCert : eccCert
      expect([what, ekCertMatchesPublic(cert, ek)]).toEqual([what, want])
    }
  })
})
