/**
 * parseCertificate on real certificates (the swtpm EK chain, cross-checked against `openssl x509
 * -text`, and the OpenSSL-made chains) and on broken input: every failure is ERR_CERT_MALFORMED,
 * including under fast-check fuzzing of random and mutated DER.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { concat, fromHex, toHex } from '../../../attest/bytes/encoding.ts'
import { AegisError } from '../../../attest/errors.ts'
import { parseCertificate } from '../../../attest/x509/parse-certificate.ts'
import { pemToDer } from '../../../attest/x509/pem.ts'
import { chains, codeOf, swtpm } from './fixtures.ts'

describe('parseCertificate: swtpm EK certificates', () => {
  it('decodes the RSA EK certificate as openssl shows it', () => {
    const c = parseCertificate(swtpm.ekRsaCertDer)
    expect(c.version).toBe(3)
    expect(c.serial).toBe('08')
    expect(c.issuer).toBe('CN=swtpm-localca')
    expect(c.subject).toBe('CN=unknown')
    expect(c.notBefore.toISOString()).toBe('2026-11-22T01:30:36.000Z')
    expect(c.notAfter.toISOString()).toBe('9999-12-31T23:59:59.000Z')
    expect(c.signatureAlgorithm).toMatchObject({ kind: 'rsa-pkcs1', hash: 'sha256' })
    expect(c.publicKey.type).toBe('rsa')
    if (c.publicKey.type !== 'rsa') return
    expect(c.publicKey.bits).toBe(2048)
    expect(c.publicKey.e).toBe(65537n)
    expect(toHex(c.publicKey.n.subarray(0, 4))).toBe('9da8db0a')
    expect(c.tcg).toEqual({ manufacturer: 'id:00001014', model: 'swtpm', version: 'id:20191023' })
    expect(c.extKeyUsage).toEqual(['2.23.133.8.1'])
    expect(c.basicConstraints).toEqual({ cA: false })
    expect(c.keyUsage?.keyEncipherment).toBe(true)
    expect(c.keyUsage?.keyCertSign).toBe(false)
    expect(toHex(c.authorityKeyIdentifier!)).toBe('a443cdebb92bad602525a21ed6ce5df17f58d704')
    expect(c.extensions.map((e) => [e.oid, e.critical])).toEqual([
      ['2.5.29.37', false],
      ['2.5.29.17', true],
      ['2.5.29.19', true],
      ['2.5.29.9', false],
      ['2.5.29.35', false],
      ['2.5.29.15', true],
    ])
    // tbs is the signed part; `openssl asn1parse` puts it at offset 4, 4 + 604 bytes long.
    expect(c.tbs).toEqual(swtpm.ekRsaCertDer.subarray(4, 4 + 4 + 604))
    expect(c.signature.length).toBe(384)
    expect(c.der).toEqual(swtpm.ekRsaCertDer)
  })

  it('decodes the P-384 EK certificate', () => {
    const c = parseCertificate(swtpm.ekEccCertDer)
    expect(c.serial).toBe('0a')
    expect(c.publicKey).toMatchObject({ type: 'ec', curve: 'P-384' })
    if (c.publicKey.type !== 'ec') return
    expect(toHex(c.publicKey.x.subarray(0, 4))).toBe('be982483')
    expect(c.publicKey.y.length).toBe(48)
    expect(c.keyUsage?.keyAgreement).toBe(true)
    expect(c.tcg?.model).toBe('swtpm')
  })

  it('decodes the manufacturer CA certificates', () => {
    const root = parseCertificate(pemToDer(swtpm.rootPem))
    const inter = parseCertificate(pemToDer(swtpm.intermediatePem))
    expect(root.subject).toBe('CN=swtpm-localca-rootca')
    expect(root.serial).toBe('578adb65147a55c53ed7da509ab193b3dbf9dbc7')
    expect(root.basicConstraints).toEqual({ cA: true })
    expect(root.keyUsage?.keyCertSign).toBe(true)
    expect(inter.subject).toBe('CN=swtpm-localca')
    expect(inter.issuerRaw).toEqual(root.subjectRaw)
    expect(toHex(inter.subjectKeyIdentifier!)).toBe('a443cdebb92bad602525a21ed6ce5df17f58d704')
    expect(inter.publicKey).toMatchObject({ type: 'rsa', bits: 3072 })
  })
})

describe('parseCertificate: other algorithms and names', () => {
  it('reads ECDSA and RSASSA-PSS signature algorithms with their parameters', () => {
    expect(parseCertificate(chains.ecInter).signatureAlgorithm).toMatchObject({
      kind: 'ecdsa',
      hash: 'sha512',
    })
    expect(parseCertificate(chains.ecRoot).signatureAlgorithm).toMatchObject({
      kind: 'ecdsa',
      hash: 'sha384',
    })
    expect(parseCertificate(chains.pssLeaf).signatureAlgorithm).toMatchObject({
      kind: 'rsa-pss',
      hash: 'sha256',
      saltLength: 32,
    })
    expect(parseCertificate(chains.pss384Leaf).signatureAlgorithm).toMatchObject({
      kind: 'rsa-pss',
      hash: 'sha384',
      saltLength: 48,
    })
    expect(parseCertificate(chains.sha1Leaf).signatureAlgorithm).toMatchObject({
      kind: 'rsa-pkcs1',
      hash: 'sha1',
    })
  })
  it('renders names per RFC 4514 (last RDN first) and keeps an empty subject empty', () => {
    const root = parseCertificate(chains.ecRoot)
    expect(root.subject).toBe('CN=Aegis Test EC Root,O=Aegis Test TPM Vendor,C=DE')
    const leaf = parseCertificate(chains.ecLeaf)
    expect(leaf.subject).toBe('')
    expect(leaf.tcg).toEqual({
      manufacturer: 'id:414D4400',
      model: 'AegisTPM',
      version: 'id:00020008',
    })
    expect(leaf.basicConstraints).toEqual({ cA: false })
    expect(parseCertificate(chains.ecInter).basicConstraints).toEqual({ cA: true, pathLen: 0 })
  })
})

describe('parseCertificate: malformed input', () => {
  const der = swtpm.ekRsaCertDer
  it('refuses garbage, truncation, trailing bytes and BER forms with ERR_CERT_MALFORMED', () => {
    const cases: Record<string, Uint8Array> = {
      empty: new Uint8Array(0),
      garbage: fromHex('deadbeef'),
      'a bare INTEGER': fromHex('020101'),
      'truncated by one byte': der.subarray(0, der.length - 1),
      'truncated to the header': der.subarray(0, 4),
      'trailing zero byte': concat(der, new Uint8Array(1)),
      'trailing 0xff padding': concat(der, new Uint8Array(16).fill(0xff)),
      'empty SEQUENCE': fromHex('3000'),
      'indefinite length': concat(fromHex('3080'), der.subarray(4), fromHex('0000')),
      'non-minimal length': concat(fromHex('30830003f4'), der.subarray(4)),
      'tbs only': parseCertificate(der).tbs,
    }
    for (const [what, bytes] of Object.entries(cases)) {
      expect([what, codeOf(() => parseCertificate(bytes))]).toEqual([what, 'ERR_CERT_MALFORMED'])
    }
  })
  it('keeps the asn1js failure as the cause', () => {
    try {
      parseCertificate(der.subarray(0, 100))
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(AegisError)
      expect((e as AegisError).code).toBe('ERR_CERT_MALFORMED')
      expect((e as AegisError).cause).toBeInstanceOf(Error)
    }
  })
  it('refuses a certificate whose outer and inner signature algorithms differ', () => {
    // Swap the outer sha256WithRSAEncryption (OID ...01 0b) for sha384 (...01 0c) after the tbs.
    const b = der.slice()
    const tbsEnd = 4 + parseCertificate(der).tbs.length
    const at = b.indexOf(0x0b, tbsEnd)
    expect(b[at - 1]).toBe(0x01)
    b[at] = 0x0c
    expect(codeOf(() => parseCertificate(b))).toBe('ERR_CERT_MALFORMED')
  })

  it('throws nothing but ERR_CERT_MALFORMED on random and mutated DER (property)', () => {
    const sources = [swtpm.ekRsaCertDer, swtpm.ekEccCertDer, chains.ecLeaf, chains.pssLeaf]
    const mutated = fc
      .tuple(
        fc.constantFrom(...sources),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.option(fc.nat(), { nil: undefined }),
      )
      .map(([src, edits, cut]) => {
        const b = src.slice()
        for (const [i, v] of edits) b[i % b.length] = v
        return cut === undefined ? b : b.subarray(0, cut % (b.length + 1))
      })
    let parsed = 0
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated), (b) => {
        try {
          parseCertificate(b)
          parsed++
        } catch (e) {
          expect(e).toBeInstanceOf(AegisError)
          expect((e as AegisError).code).toBe('ERR_CERT_MALFORMED')
        }
      }),
      { numRuns: 1500 },
    )
    // Byte edits inside signatures, keys and strings still parse; if nothing ever parses, the
    // generator has stopped producing near-valid certificates and the property proves little.
    expect(parsed).toBeGreaterThan(0)
  })
})
