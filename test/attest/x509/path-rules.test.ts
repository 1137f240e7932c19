/**
 * RFC 5280 §6.1 path rules beyond signatures and validity, on OpenSSL-made chains
 * (test/vectors/x509/paths/make.sh): critical certificatePolicies, requireExplicitPolicy,
 * inhibitAnyPolicy, policyMappings, nameConstraints, a cross-signed (not self-signed) trust
 * anchor, multi-hop paths with pathLen, a PSS-signed CA and a P-521 CA. Each refusal asserts its
 * code; every outcome was cross-checked with `openssl verify -partial_chain -policy_check`.
 */
import { describe, expect, it } from 'vitest'
import { parseCertificate } from '../../../attest/x509/parse-certificate.ts'
import type { Certificate } from '../../../attest/x509/types.ts'
import { verifyChain } from '../../../attest/x509/verify-chain.ts'
import { AT, codeOf } from './fixtures.ts'
import { pathDer } from './path-fixtures.ts'

type Name = keyof typeof pathDer
const c = Object.fromEntries(
  Object.entries(pathDer).map(([k, v]) => [k, parseCertificate(v)]),
) as Record<Name, Certificate>

function run(leaf: Name, anchor: Name, ...inter: Name[]) {
  return () =>
    verifyChain(c[leaf], {
      roots: [c[anchor]],
      intermediates: inter.map((n) => c[n]),
      at: AT,
    })
}
const subjects = (chain: Certificate[]) => chain.map((x) => x.subject)

describe('certificate policies (RFC 5280 §6.1.3 (d)-(f), §6.1.4, §6.1.5)', () => {
  it('a CA with critical certificatePolicies anyPolicy is understood, and a TCG policy leaf passes', () => {
    const anyPol = c['i-anypol'].extensions.find((e) => e.oid === '2.5.29.32')
    expect(anyPol?.critical).toBe(true)
    expect(c['i-anypol'].policies).toEqual(['2.5.29.32.0'])
    expect(c['l-tcgpol'].policies).toEqual(['2.23.133.11.1.1'])
    expect(run('l-tcgpol', 'r-p256', 'i-anypol')().chain).toHaveLength(3)
  })

  it('requireExplicitPolicy:0 — the CA policy passes, another or none is ERR_CERT_POLICY', () => {
    expect(c['i-explicit'].policyConstraints).toEqual({
      requireExplicitPolicy: 0,
    })
    expect(run('l-explicit-ok', 'r-p256', 'i-explicit')().chain).toHaveLength(3)
    expect(codeOf(run('l-explicit-other', 'r-p256', 'i-explicit'))).toBe('ERR_CERT_POLICY')
    expect(codeOf(run('l-explicit-none', 'r-p256', 'i-explicit'))).toBe('ERR_CERT_POLICY')
  })

  it('inhibitAnyPolicy:0 — a leaf that only asserts anyPolicy gets no policy: ERR_CERT_POLICY', () => {
    expect(c['i-inhibit'].inhibitAnyPolicy).toBe(0)
    expect(codeOf(run('l-inhibit-any', 'r-p256', 'i-inhibit'))).toBe('ERR_CERT_POLICY')
  })

  it('policyMappings — the mapped subject policy passes, the issuer policy no longer does', () => {
    expect(c['i-map'].policyMappings).toEqual([
      { issuer: '1.3.6.1.4.1.55555.2.1', subject: '1.3.6.1.4.1.55555.2.9' },
    ])
    expect(run('l-map-ok', 'r-p256', 'i-map')().chain).toHaveLength(3)
    expect(codeOf(run('l-map-unmapped', 'r-p256', 'i-map'))).toBe('ERR_CERT_POLICY')
  })

  it('a path without any policies passes: policies bind only where a CA requires them', () => {
    expect([c['l-p521'], c['i-p521-2'], c['i-p521']].map((x) => x.policies)).toEqual([
      undefined,
      undefined,
      undefined,
    ])
    expect(run('l-p521', 'r-p521', 'i-p521', 'i-p521-2')().chain).toHaveLength(4)
  })
})

describe('name constraints (RFC 5280 §4.2.1.10)', () => {
  it('subject inside the permitted directoryName subtree passes', () => {
    expect(c['i-nc'].nameConstraints?.permitted).toHaveLength(1)
    expect(run('l-nc-ok', 'r-p256', 'i-nc')().chain).toHaveLength(3)
  })
  it('an empty subject is judged by the SAN directoryName (the TCG EK form)', () => {
    expect(c['l-nc-san-ok'].subject).toBe('')
    expect(run('l-nc-san-ok', 'r-p256', 'i-nc')().chain).toHaveLength(3)
  })
  it('subject outside the permitted subtree: ERR_CERT_NAME_CONSTRAINTS', () => {
    expect(codeOf(run('l-nc-outside', 'r-p256', 'i-nc'))).toBe('ERR_CERT_NAME_CONSTRAINTS')
  })
  it('a DNS name in the excluded subtree: ERR_CERT_NAME_CONSTRAINTS', () => {
    expect(codeOf(run('l-nc-dns-bad', 'r-p256', 'i-nc'))).toBe('ERR_CERT_NAME_CONSTRAINTS')
  })
})

describe('trust anchors and path shapes', () => {
  it('a configured cross-signed root (not self-signed) is a trust anchor', () => {
    const cross = c['r-vendor-cross']
    expect(cross.subject).not.toBe(cross.issuer)
    const { chain } = run('l-vendor', 'r-vendor-cross', 'i-vendor')()
    expect(subjects(chain)).toEqual(['', c['i-vendor'].subject, cross.subject])
  })
  it('the cross-signed root is only an intermediate when the other root is the anchor', () => {
    const { chain } = run('l-vendor', 'r-gs', 'i-vendor', 'r-vendor-cross')()
    expect(chain).toHaveLength(4)
    expect(codeOf(run('l-vendor', 'r-gs', 'i-vendor'))).toBe('ERR_CERT_CHAIN')
  })
  it('multi-hop: P-256 leaf, P-256 CA (pathlen 0), P-384 CA (pathlen 1), P-521 root (SHA-512)', () => {
    const { chain } = run('l-p521', 'r-p521', 'i-p521-2', 'i-p521')()
    expect(chain.map((x) => x.publicKey.type === 'ec' && x.publicKey.curve)).toEqual([
      'P-256',
      'P-256',
      'P-384',
      'P-521',
    ])
    expect(c['i-p521'].signatureAlgorithm.name).toBe('ecdsa-with-SHA512')
  })
  it('a CA signed with RSASSA-PSS (SHA-384) under an RSA-4096 root passes', () => {
    expect(c['i-pss'].signatureAlgorithm.kind).toBe('rsa-pss')
    expect(run('l-pss', 'r-rsa4096', 'i-pss')().chain).toHaveLength(3)
  })
  it('one CA too many below the root pathlen:1: ERR_CERT_CA_CONSTRAINTS', () => {
    expect(c['r-rsa4096'].basicConstraints?.pathLen).toBe(1)
    expect(codeOf(run('l-pss-2', 'r-rsa4096', 'i-pss', 'i-pss-2'))).toBe('ERR_CERT_CA_CONSTRAINTS')
  })
  it('an unknown critical extension on a CA is still refused', () => {
    expect(codeOf(run('l-unknown', 'r-p256', 'i-unknown'))).toBe(
      'ERR_CERT_UNKNOWN_CRITICAL_EXTENSION',
    )
  })
})
