/**
 * Real EK certificates (test/vectors/ek-certs, sources in corpus.json and README.md there) against
 * the shipped vendor trust set (trust/tpm-vendors, manifest.json): each leaf, unwrapped from the
 * NV form it was published in, chains to its vendor's CAs at a time inside its validity, and to
 * the whole set; the same leaf with another vendor's set, after it expired, or with one changed
 * signature byte is refused with its code. Also keeps manifest.json true to the PEM files.
 * Runs in the node project because it reads the trust folder from disk, as the CLI does.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { stripEkCertPadding } from '../../attest/x509/ek-cert-padding.ts'
import { parseCertificate } from '../../attest/x509/parse-certificate.ts'
import { parsePemBundle } from '../../attest/x509/pem.ts'
import type { Certificate } from '../../attest/x509/types.ts'
import { verifyChain } from '../../attest/x509/verify-chain.ts'
import { code, NO_ERROR } from '../helpers/error-code.ts'

const root = path.resolve(import.meta.dirname, '../..')
const trustDir = path.join(root, 'trust/tpm-vendors')
const corpusDir = path.join(root, 'test/vectors/ek-certs')

interface ManifestEntry {
  file: string
  vendor: string
  role: 'root' | 'intermediate'
  selfSigned: boolean
  subject: string
  sha256: string
  sources: { repo: string; path: string; commit: string; licence: string }[]
}
interface CorpusEntry {
  file: string
  vendor: string
  sha256: string
  source: { repo: string; commit: string; path: string }
  licence: string
  /** Set for real certificates Aegis refuses by policy (SHA-1-signed TPM 1.2 EKs). */
  expect?: string
}

const manifest: ManifestEntry[] = JSON.parse(
  readFileSync(path.join(trustDir, 'manifest.json'), 'utf8'),
).certificates
const corpus: CorpusEntry[] = JSON.parse(
  readFileSync(path.join(corpusDir, 'corpus.json'), 'utf8'),
).leaves

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const DAY = 86_400_000

function load(e: ManifestEntry): Certificate {
  const ders = parsePemBundle(readFileSync(path.join(trustDir, e.file), 'utf8'))
  expect(ders).toHaveLength(1)
  return parseCertificate(ders[0]!)
}
const certs = new Map(manifest.map((e) => [e.file, load(e)]))

function trustFor(vendors: string[]) {
  const pick = (role: string) =>
    manifest
      .filter((e) => vendors.includes(e.vendor) && e.role === role)
      .map((e) => certs.get(e.file)!)
  return { roots: pick('root'), intermediates: pick('intermediate') }
}
const allVendors = [...new Set(manifest.map((e) => e.vendor))]

function leafOf(e: CorpusEntry): { nv: Uint8Array; cert: Certificate } {
  const nv = new Uint8Array(readFileSync(path.join(corpusDir, e.file)))
  return { nv, cert: parseCertificate(stripEkCertPadding(nv)) }
}

/** Inside the leaf's validity, a month after issue (its CAs were issued before it). */
const insideValidity = (c: Certificate) =>
  new Date(Math.min(c.notBefore.getTime() + 30 * DAY, c.notAfter.getTime()))

describe('trust/tpm-vendors manifest', () => {
  it('lists every PEM file once, with its SHA-256, vendor folder, names and sources', () => {
    const onDisk = readdirSync(trustDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(path.join(trustDir, d.name)).map((f) => `${d.name}/${f}`))
      .sort()
    expect(manifest.map((e) => e.file).sort()).toEqual(onDisk)
    for (const e of manifest) {
      const c = certs.get(e.file)!
      expect(sha256(c.der), e.file).toBe(e.sha256)
      expect(e.file.startsWith(e.vendor + '/'), e.file).toBe(true)
      expect(c.basicConstraints?.cA, e.file).toBe(true)
      expect(e.sources.length, e.file).toBeGreaterThan(0)
      for (const s of e.sources) {
        expect(s.commit, e.file).toMatch(/^[0-9a-f]{40}$/)
        expect(s.licence, e.file).toMatch(/^(Apache-2\.0|BSD-3-Clause)$/)
      }
    }
    expect(new Set(manifest.map((e) => e.sha256)).size).toBe(manifest.length)
  })

  it('every intermediate chains to a root of its own vendor (RFC 5280 path validation)', () => {
    const failures: string[] = []
    let critical = 0
    for (const e of manifest.filter((m) => m.role === 'intermediate')) {
      const c = certs.get(e.file)!
      if (c.extensions.some((x) => x.oid === '2.5.29.32' && x.critical)) critical++
      // Some time when the whole hierarchy is valid: cross-certificates came after early CAs.
      const t = Math.max(c.notBefore.getTime(), Date.UTC(2020, 0, 1))
      const at = new Date(Math.min(t, c.notAfter.getTime() - DAY))
      const got = code(() => verifyChain(c, { ...trustFor([e.vendor]), at }))
      if (got !== NO_ERROR) failures.push(`${e.file}: ${got}`)
    }
    expect(failures).toEqual([])
    // Vendor CAs that mark certificatePolicies critical are understood.
    expect(critical).toBeGreaterThan(10)
  })

  it('covers the major vendors, each with at least one root', () => {
    for (const v of ['infineon', 'stmicro', 'nuvoton', 'intel', 'amd', 'microsoft', 'google']) {
      expect(trustFor([v]).roots.length, v).toBeGreaterThan(0)
    }
  })
})

describe('real EK certificates chain to the shipped vendor set', () => {
  it('the corpus: 18 verifying leaves from 5 vendors/clouds plus 4 refused, files match corpus.json', () => {
    const verifying = corpus.filter((e) => !e.expect)
    expect(verifying.length).toBeGreaterThanOrEqual(18)
    expect(new Set(verifying.map((e) => e.vendor)).size).toBeGreaterThanOrEqual(5)
    for (const e of corpus) {
      expect(sha256(readFileSync(path.join(corpusDir, e.file))), e.file).toBe(e.sha256)
      expect(e.source.commit).toMatch(/^[0-9a-f]{40}$/)
    }
  })

  for (const e of corpus.filter((x) => x.expect)) {
    it(`${e.file}: a real SHA-1-signed TPM 1.2 EK, refused with ${e.expect}`, () => {
      const { cert } = leafOf(e)
      expect(cert.signatureAlgorithm.kind !== 'other' && cert.signatureAlgorithm.hash).toBe('sha1')
      // Its issuer is in the set, so the refusal is the hash policy, not a missing CA.
      const { roots, intermediates } = trustFor([e.vendor])
      expect([...roots, ...intermediates].some((c) => c.subject === cert.issuer)).toBe(true)
      const at = insideValidity(cert)
      expect(code(() => verifyChain(cert, { roots, intermediates, at }))).toBe(e.expect)
    })
  }

  for (const e of corpus.filter((x) => !x.expect)) {
    describe(e.file, () => {
      const { nv, cert } = leafOf(e)
      const at = insideValidity(cert)

      it(`verifies to the ${e.vendor} set and to the whole set`, () => {
        const { chain } = verifyChain(cert, { ...trustFor([e.vendor]), at })
        expect(chain[0]).toBe(cert)
        expect(chain.length).toBeGreaterThanOrEqual(2)
        const anchor = chain[chain.length - 1]!
        expect(manifest.find((m) => m.sha256 === sha256(anchor.der))?.role).toBe('root')
        expect(verifyChain(cert, { ...trustFor(allVendors), at }).chain).toHaveLength(chain.length)
      })

      it('another vendor set: ERR_CERT_CHAIN', () => {
        const others = allVendors.filter((v) => v !== e.vendor)
        expect(code(() => verifyChain(cert, { ...trustFor(others), at }))).toBe('ERR_CERT_CHAIN')
      })

      it('after it expired: ERR_CERT_EXPIRED', () => {
        const later = new Date(cert.notAfter.getTime() + DAY)
        expect(code(() => verifyChain(cert, { ...trustFor([e.vendor]), at: later }))).toBe(
          'ERR_CERT_EXPIRED',
        )
      })

      it('one changed signature byte: ERR_CERT_SIGNATURE', () => {
        const der = cert.der.slice()
        der[der.length - 5] ^= 0x01
        const bad = parseCertificate(der)
        expect(code(() => verifyChain(bad, { ...trustFor([e.vendor]), at }))).toBe(
          'ERR_CERT_SIGNATURE',
        )
        expect(nv.length).toBeGreaterThanOrEqual(cert.der.length)
      })
    })
  }
})
