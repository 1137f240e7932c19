/**
 * stripEkCertPadding on the NV forms EK certificates come in: bare DER, DER + 0xFF or 0x00 fill,
 * the 0x10 0x01 + u16 header and the TCG_PCCLIENT_STORED_CERT wrapper, and the refusals; plus a
 * fast-check property that random and mutated NV contents throw only ERR_CERT_MALFORMED.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { concat, fromHex } from '../../../attest/bytes/encoding.ts'
import { AegisError } from '../../../attest/errors.ts'
import { stripEkCertPadding } from '../../../attest/x509/ek-cert-padding.ts'
import { parseCertificate } from '../../../attest/x509/parse-certificate.ts'
import { codeOf, swtpm } from './fixtures.ts'

const der = swtpm.ekRsaCertDer
const u16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff)

describe('stripEkCertPadding', () => {
  it('returns the DER for every accepted NV form', () => {
    const forms: Record<string, Uint8Array> = {
      'bare DER': der,
      '0xFF fill': concat(der, new Uint8Array(1024 - 16).fill(0xff)),
      '0x00 fill': concat(der, new Uint8Array(500)),
      'one fill byte': concat(der, Uint8Array.of(0xff)),
      '10 01 + u16 header': concat(fromHex('1001'), u16(der.length), der),
      '10 01 header + fill': concat(
        fromHex('1001'),
        u16(der.length),
        der,
        new Uint8Array(40).fill(0xff),
      ),
      'stored-cert wrapper': concat(fromHex('100100'), u16(der.length + 2), fromHex('1002'), der),
      'stored-cert wrapper without 10 02': concat(fromHex('100100'), u16(der.length), der),
    }
    for (const [what, nv] of Object.entries(forms)) {
      const out = stripEkCertPadding(nv)
      expect([what, out.length]).toEqual([what, der.length])
      expect(out).toEqual(der)
    }
    expect(
      parseCertificate(
        stripEkCertPadding(concat(swtpm.ekEccCertDer, new Uint8Array(64).fill(0xff))),
      ).serial,
    ).toBe('0a')
  })
  it('refuses anything else with ERR_CERT_MALFORMED', () => {
    const cases: Record<string, Uint8Array> = {
      empty: new Uint8Array(0),
      'all 0xFF (unwritten NV)': new Uint8Array(64).fill(0xff),
      truncated: der.subarray(0, der.length - 10),
      'non-padding trailer': concat(der, fromHex('ffff01')),
      'mixed fill': concat(der, fromHex('ff00')),
      'second certificate after the first': concat(der, der),
      'header longer than the data': concat(fromHex('1001'), u16(der.length + 1), der),
      'header shorter than the DER': concat(fromHex('1001'), u16(der.length - 1), der),
      'indefinite length': concat(fromHex('3080'), der.subarray(4)),
      'not DER': fromHex('0201000000'),
    }
    for (const [what, nv] of Object.entries(cases)) {
      expect([what, codeOf(() => stripEkCertPadding(nv))]).toEqual([what, 'ERR_CERT_MALFORMED'])
    }
  })
  it('throws nothing but ERR_CERT_MALFORMED on random and mutated input (property)', () => {
    const base = [
      der,
      concat(der, new Uint8Array(32).fill(0xff)),
      concat(fromHex('1001'), u16(der.length), der),
    ]
    const mutated = fc
      .tuple(fc.constantFrom(...base), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat())
      .map(([b, i, v, cut]) => {
        const c = b.slice()
        c[i % c.length] = v
        return c.subarray(0, cut % (c.length + 1))
      })
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated), (b) => {
        try {
          const out = stripEkCertPadding(b)
          // Whatever comes out is one DER SEQUENCE inside the input.
          expect(out[0]).toBe(0x30)
          expect(out.length).toBeLessThanOrEqual(b.length)
        } catch (e) {
          expect(e).toBeInstanceOf(AegisError)
          expect((e as AegisError).code).toBe('ERR_CERT_MALFORMED')
        }
      }),
      { numRuns: 2000 },
    )
  })
})
