/**
 * PEM decoding (RFC 7468): single certificates, bundles with surrounding text and other block
 * types, and the refusals (no block, bad base64, mismatched labels, several where one is expected).
 */
import { describe, expect, it } from 'vitest'
import { parsePemBundle, pemToDer } from '../../../attest/x509/pem.ts'
import { parseCertificate } from '../../../attest/x509/parse-certificate.ts'
import { codeOf, swtpm } from './fixtures.ts'

describe('PEM', () => {
  it('decodes one certificate and a bundle in order, skipping text and other labels', () => {
    const root = pemToDer(swtpm.rootPem)
    expect(parseCertificate(root).subject).toBe('CN=swtpm-localca-rootca')
    const bundle = [
      'subject=CN = swtpm-localca',
      swtpm.intermediatePem.replace(/\n/g, '\r\n'),
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
      swtpm.rootPem,
    ].join('\n')
    const ders = parsePemBundle(bundle)
    expect(ders.map((d) => parseCertificate(d).subject)).toEqual([
      'CN=swtpm-localca',
      'CN=swtpm-localca-rootca',
    ])
    expect(ders[1]).toEqual(root)
  })
  it('refuses text without certificates, broken base64 and ambiguous input', () => {
    const body = swtpm.rootPem
    const cases: Record<string, () => unknown> = {
      'no block': () => parsePemBundle('hello'),
      'only a key': () =>
        parsePemBundle('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----'),
      'bad character': () => pemToDer(body.replace(/\n[A-Za-z]/, '\n*')),
      'bad padding': () => pemToDer(body.replace(/=*\n-----END/, '===\n-----END')),
      'labels differ': () => pemToDer(body.replace('END CERTIFICATE', 'END X509 CRL')),
      'two where one expected': () => pemToDer(body + body),
      'not a string': () => parsePemBundle(42 as unknown as string),
    }
    for (const [what, f] of Object.entries(cases)) {
      expect([what, codeOf(f)]).toEqual([what, 'ERR_CERT_MALFORMED'])
    }
  })
})
