/**
 * verifyChain with the swtpm EK chain (RSA and P-384 EK certificates through
 * manufacturer-intermediate.pem to manufacturer-root.pem) and the OpenSSL-made chains: every
 * accepted algorithm, and each way a chain can be wrong with its error code. Time is fixed (AT)
 * so validity windows do not depend on the clock.
 */
import { describe, expect, it } from 'vitest'
import { AegisError } from '../../../attest/errors.ts'
import { parseCertificate } from '../../../attest/x509/parse-certificate.ts'
import { parsePemBundle } from '../../../attest/x509/pem.ts'
import type { Certificate } from '../../../attest/x509/types.ts'
import { verifyChain } from '../../../attest/x509/verify-chain.ts'
import { verifyCertificateSignature } from '../../../attest/x509/verify-signature.ts'
import { AT, chains, codeOf, swtpm } from './fixtures.ts'

const root = parseCertificate(parsePemBundle(swtpm.rootPem)[0]!)
const inter = parseCertificate(parsePemBundle(swtpm.intermediatePem)[0]!)
const ekRsa = parseCertificate(swtpm.ekRsaCertDer)
const ekEcc = parseCertificate(swtpm.ekEccCertDer)
const c = Object.fromEntries(
  Object.entries(chains).map(([k, v]) => [k, parseCertificate(v)]),
) as Record<keyof typeof chains, Certificate>

function tampered(der: Uint8Array, offsetFromEnd: number): Certificate {
  const b = der.slice()
  b[b.length - offsetFromEnd] ^= 0x01
  return parseCertificate(b)
}

function errorOf(f: () => unknown): AegisError {
  try {
    f()
  } catch (e) {
    if (e instanceof AegisError) return e
    throw e
  }
  throw new Error('expected an AegisError')
}

describe('verifyChain: the swtpm EK chain', () => {
  for (const [name, leaf] of [
    ['RSA', ekRsa],
    ['P-384', ekEcc],
  ] as const) {
    it(`chains the ${name} EK certificate to the manufacturer root`, () => {
      const { chain } = verifyChain(leaf, { roots: [root], intermediates: [inter], at: AT })
      expect(chain.map((x) => x.subject)).toEqual([
        'CN=unknown',
        'CN=swtpm-localca',
        'CN=swtpm-localca-rootca',
      ])
      expect(chain[0]).toBe(leaf)
    })
  }

  it('finds the path whatever the order and extra certificates', () => {
    const { chain } = verifyChain(ekRsa, {
      roots: [c.ecRoot, c.rsaRoot, root],
      intermediates: [c.ecInter, c.impostor, ekEcc, inter],
      at: AT,
    })
    expect(chain.map((x) => x.subject)).toEqual([
      'CN=unknown',
      'CN=swtpm-localca',
      'CN=swtpm-localca-rootca',
    ])
  })

  it('accepts the intermediate itself as the trust anchor', () => {
    expect(verifyChain(ekRsa, { roots: [inter], at: AT }).chain).toHaveLength(2)
  })

  it('wrong root: ERR_CERT_CHAIN', () => {
    expect(
      codeOf(() => verifyChain(ekRsa, { roots: [c.ecRoot], intermediates: [inter], at: AT })),
    ).toBe('ERR_CERT_CHAIN')
    expect(
      codeOf(() => verifyChain(ekEcc, { roots: [c.rsaRoot], intermediates: [inter], at: AT })),
    ).toBe('ERR_CERT_CHAIN')
  })

  it('missing intermediate: ERR_CERT_CHAIN', () => {
    expect(codeOf(() => verifyChain(ekRsa, { roots: [root], at: AT }))).toBe('ERR_CERT_CHAIN')
    expect(
      codeOf(() => verifyChain(ekEcc, { roots: [root], intermediates: [ekRsa], at: AT })),
    ).toBe('ERR_CERT_CHAIN')
  })

  it('path longer than maxDepth: ERR_CERT_CHAIN', () => {
    expect(
      codeOf(() =>
        verifyChain(ekRsa, { roots: [root], intermediates: [inter], at: AT, maxDepth: 2 }),
      ),
    ).toBe('ERR_CERT_CHAIN')
  })

  it('expired (checked far in the future): ERR_CERT_EXPIRED', () => {
    const far = new Date(Date.UTC(10000, 0, 1))
    expect(
      codeOf(() => verifyChain(ekRsa, { roots: [root], intermediates: [inter], at: far })),
    ).toBe('ERR_CERT_EXPIRED')
  })

  it('not yet valid: ERR_CERT_NOT_YET_VALID', () => {
    const before = new Date('2026-01-01T00:00:00Z')
    expect(
      codeOf(() => verifyChain(ekEcc, { roots: [root], intermediates: [inter], at: before })),
    ).toBe('ERR_CERT_NOT_YET_VALID')
    // One second before the EK certificate's notBefore, after its issuers' (2026-11-22T01:27:01Z).
    const justBefore = new Date(ekRsa.notBefore.getTime() - 1000)
    const e = errorOf(() =>
      verifyChain(ekRsa, { roots: [root], intermediates: [inter], at: justBefore }),
    )
    expect(e.code).toBe('ERR_CERT_NOT_YET_VALID')
    expect(e.detail?.subject).toBe('CN=unknown')
    expect(
      verifyChain(ekRsa, { roots: [root], intermediates: [inter], at: ekRsa.notBefore }).chain,
    ).toHaveLength(3)
  })

  it('tampered signature byte: ERR_CERT_SIGNATURE', () => {
    const leaf = tampered(swtpm.ekRsaCertDer, 7)
    expect(codeOf(() => verifyChain(leaf, { roots: [root], intermediates: [inter], at: AT }))).toBe(
      'ERR_CERT_SIGNATURE',
    )
  })

  it('tampered tbs (a bit of the certified EK modulus): ERR_CERT_SIGNATURE', () => {
    if (ekRsa.publicKey.type !== 'rsa') throw new Error('not RSA')
    const b = swtpm.ekRsaCertDer.slice()
    const n = ekRsa.publicKey.n
    const at = b.findIndex((_, i) => n.subarray(0, 16).every((v, j) => b[i + j] === v))
    expect(at).toBeGreaterThan(0)
    expect(at + n.length).toBeLessThan(ekRsa.tbs.length + 4)
    b[at + 10] ^= 0x80
    const leaf = parseCertificate(b)
    expect(leaf.tbs).not.toEqual(ekRsa.tbs)
    expect(codeOf(() => verifyChain(leaf, { roots: [root], intermediates: [inter], at: AT }))).toBe(
      'ERR_CERT_SIGNATURE',
    )
  })

  it('tampered intermediate: ERR_CERT_SIGNATURE', () => {
    const badInter = tampered(inter.der, 3)
    expect(
      codeOf(() => verifyChain(ekEcc, { roots: [root], intermediates: [badInter], at: AT })),
    ).toBe('ERR_CERT_SIGNATURE')
  })

  it('an impostor issuer with the right name but another key: ERR_CERT_SIGNATURE', () => {
    expect(c.impostor.subject).toBe(inter.subject)
    expect(
      codeOf(() => verifyChain(ekRsa, { roots: [c.ecRoot], intermediates: [c.impostor], at: AT })),
    ).toBe('ERR_CERT_SIGNATURE')
  })

  it('needs at least one root and a valid time', () => {
    expect(codeOf(() => verifyChain(ekRsa, { roots: [], intermediates: [inter], at: AT }))).toBe(
      'ERR_TRUST_ROOTS',
    )
    expect(codeOf(() => verifyChain(ekRsa, { roots: [root], at: new Date(NaN) }))).toBe(
      'ERR_CONFIG',
    )
  })
})

describe('verifyChain: other algorithms', () => {
  it('ECDSA: P-256 leaf (SHA-256) by a P-256 CA signed with SHA-512 by a P-384 root', () => {
    const { chain } = verifyChain(c.ecLeaf, {
      roots: [c.ecRoot],
      intermediates: [c.ecInter],
      at: AT,
    })
    expect(chain.map((x) => x.publicKey.type === 'ec' && x.publicKey.curve)).toEqual([
      'P-256',
      'P-256',
      'P-384',
    ])
    // The root's self-signature is P-384 with SHA-384; anchors are not checked, so check it here.
    expect(() => verifyCertificateSignature(c.ecRoot, c.ecRoot.publicKey)).not.toThrow()
    expect(codeOf(() => verifyCertificateSignature(c.ecRoot, c.ecInter.publicKey))).toBe(
      'ERR_CERT_SIGNATURE',
    )
  })
  it('ECDSA: a flipped signature bit fails with ERR_CERT_SIGNATURE', () => {
    const leaf = tampered(chains.ecLeaf, 2)
    expect(
      codeOf(() => verifyChain(leaf, { roots: [c.ecRoot], intermediates: [c.ecInter], at: AT })),
    ).toBe('ERR_CERT_SIGNATURE')
  })
  it('RSASSA-PSS: SHA-256 salt 32 and SHA-384 salt 48', () => {
    expect(verifyChain(c.pssLeaf, { roots: [c.rsaRoot], at: AT }).chain).toHaveLength(2)
    expect(verifyChain(c.pss384Leaf, { roots: [c.rsaRoot], at: AT }).chain).toHaveLength(2)
    expect(
      codeOf(() => verifyChain(tampered(chains.pssLeaf, 1), { roots: [c.rsaRoot], at: AT })),
    ).toBe('ERR_CERT_SIGNATURE')
  })
  it('a key of the wrong type for the signature: ERR_CERT_SIGNATURE', () => {
    expect(codeOf(() => verifyCertificateSignature(c.pssLeaf, c.ecRoot.publicKey))).toBe(
      'ERR_CERT_SIGNATURE',
    )
    expect(codeOf(() => verifyCertificateSignature(c.ecLeaf, c.rsaRoot.publicKey))).toBe(
      'ERR_CERT_SIGNATURE',
    )
  })
  it('SHA-1 is refused: ERR_SIG_HASH_NOT_ALLOWED', () => {
    expect(codeOf(() => verifyChain(c.sha1Leaf, { roots: [c.rsaRoot], at: AT }))).toBe(
      'ERR_SIG_HASH_NOT_ALLOWED',
    )
  })
})

describe('verifyChain: CA constraints and extensions', () => {
  it('an issuer without basicConstraints cA=TRUE: ERR_CERT_CA_CONSTRAINTS', () => {
    const e = errorOf(() =>
      verifyChain(c.notcaLeaf, { roots: [c.rsaRoot], intermediates: [c.notcaInter], at: AT }),
    )
    expect(e.code).toBe('ERR_CERT_CA_CONSTRAINTS')
    expect(e.detail?.subject).toBe(c.notcaInter.subject)
  })
  it('an issuer whose keyUsage lacks keyCertSign: ERR_CERT_CA_CONSTRAINTS', () => {
    expect(
      codeOf(() =>
        verifyChain(c.nokcsLeaf, { roots: [c.rsaRoot], intermediates: [c.nokcsInter], at: AT }),
      ),
    ).toBe('ERR_CERT_CA_CONSTRAINTS')
  })
  it('a CA below a pathLen:0 CA: ERR_CERT_CA_CONSTRAINTS', () => {
    const opts = { roots: [c.ecRoot], intermediates: [c.ecInter, c.ecInter2], at: AT }
    const e = errorOf(() => verifyChain(c.ecLeaf2, opts))
    expect(e.code).toBe('ERR_CERT_CA_CONSTRAINTS')
    expect(e.detail?.subject).toBe(c.ecInter.subject)
    // ecInter2 itself, directly under ecInter, is within the limit.
    expect(verifyChain(c.ecInter2, opts).chain).toHaveLength(3)
  })
  it('a leaf with an unknown critical extension: ERR_CERT_UNKNOWN_CRITICAL_EXTENSION', () => {
    const e = errorOf(() =>
      verifyChain(c.ecCritical, { roots: [c.ecRoot], intermediates: [c.ecInter], at: AT }),
    )
    expect(e.code).toBe('ERR_CERT_UNKNOWN_CRITICAL_EXTENSION')
    expect(e.detail?.extension).toBe('1.3.6.1.4.1.55555.1')
  })
  it('tolerates the critical TCG subjectAltName on the EK leaf', () => {
    expect(ekRsa.extensions.find((e) => e.oid === '2.5.29.17')?.critical).toBe(true)
    expect(c.ecLeaf.extensions.find((e) => e.oid === '2.5.29.17')?.critical).toBe(true)
    expect(
      verifyChain(c.ecLeaf, { roots: [c.ecRoot], intermediates: [c.ecInter], at: AT }).chain,
    ).toHaveLength(3)
  })
  it('an expired intermediate under a valid leaf: ERR_CERT_EXPIRED naming the intermediate', () => {
    const at = new Date('2040-01-01T00:00:00Z')
    expect(at > c.ecInter.notAfter && at < c.ecLeaf.notAfter).toBe(true)
    const e = errorOf(() =>
      verifyChain(c.ecLeaf, { roots: [c.ecRoot], intermediates: [c.ecInter], at }),
    )
    expect(e.code).toBe('ERR_CERT_EXPIRED')
    expect(e.detail?.subject).toBe(c.ecInter.subject)
  })
})
