/**
 * Certification path building and validation for EK certificates (RFC 5280 §6.1, as far as a
 * manufacturer chain needs it). Every configured root is a trust anchor, self-signed or not
 * (RFC 5280 §6.1.1 (d): an anchor is a name and a key the relying party chose; `openssl verify
 * -partial_chain` behaves the same), so a vendor CA cross-signed by another root is trusted when
 * it is configured. From the leaf, issuers are found among the roots, then the intermediates
 * (operator set and, at enrollment, the chain the agent sent), by issuer/subject name (RFC 5280
 * §7.1 matching, name.ts: same RDNs whatever string type encodes them) and, when both are
 * present, AKI == SKI; paths are tried depth-first (roots first) up to `maxDepth`
 * certificates. On each complete path, leaf first:
 *  - every non-anchor certificate's signature by its issuer (verify-signature.ts);
 *  - every certificate valid at `at` (ERR_CERT_NOT_YET_VALID / ERR_CERT_EXPIRED);
 *  - every issuing certificate, the anchor included, has basicConstraints cA=TRUE, keyCertSign
 *    when keyUsage is present, and a pathLenConstraint not smaller than the number of
 *    non-self-issued intermediates below it (ERR_CERT_CA_CONSTRAINTS);
 *  - certificate policies, policy mappings, policyConstraints and inhibitAnyPolicy
 *    (policy-tree.ts, ERR_CERT_POLICY; the initial policy set is anyPolicy, so vendor chains with
 *    critical anyPolicy or TCG policy OIDs pass, and only a CA's requireExplicitPolicy makes
 *    policies mandatory);
 *  - name constraints of every CA below the anchor, the anchor's own included
 *    (name-constraints.ts, ERR_CERT_NAME_CONSTRAINTS);
 *  - no critical extension outside those understood (ERR_CERT_UNKNOWN_CRITICAL_EXTENSION): the
 *    RFC 5280 §4.2.1 set everywhere (CRL distribution points, freshest CRL and the access
 *    descriptions are understood as pointers; revocation itself is not checked at the edge), on
 *    the leaf also subjectDirectoryAttributes (the TCG EK profile's TPM specification).
 * The anchor's self-signature is not checked: a root is trusted because it was configured.
 * Returns the first path that passes; if none does, the error of the first complete path tried,
 * or ERR_CERT_CHAIN when no path reaches a root. Leaves out revocation (no CRL/OCSP at the
 * edge).
 */
import { bytesEqual } from '../bytes/encoding.ts'
import { AegisError } from '../errors.ts'
import { checkNameConstraints } from './name-constraints.ts'
import { namesEqual } from './name.ts'
import { OID } from './oids.ts'
import { PolicyState } from './policy-tree.ts'
import type { Certificate } from './types.ts'
import { verifyCertificateSignature } from './verify-signature.ts'
import type { EcdsaBackend } from '../crypto/ecdsa-backend.ts'

export interface VerifyChainOptions {
  roots: Certificate[]
  intermediates?: Certificate[]
  at: Date
  /** Most certificates in a path, leaf and root included. Default 6. */
  maxDepth?: number
  /** ECDSA implementation; default the noble reference. */
  ecdsa?: EcdsaBackend
}

const UNDERSTOOD = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.nameConstraints,
  OID.crlDistributionPoints,
  OID.certificatePolicies,
  OID.policyMappings,
  OID.policyConstraints,
  OID.freshestCrl,
  OID.inhibitAnyPolicy,
  OID.authorityInfoAccess,
  OID.subjectInfoAccess,
])
const UNDERSTOOD_ON_LEAF = new Set<string>([...UNDERSTOOD, OID.subjectDirectoryAttributes])

function detail(c: Certificate) {
  return { detail: { subject: c.subject, serial: c.serial } }
}

function isSelfIssued(c: Certificate): boolean {
  return namesEqual(c.subjectRaw, c.issuerRaw)
}

/** Could `issuer` have issued `cert`, judging by names and key identifiers? */
function issues(issuer: Certificate, cert: Certificate): boolean {
  if (!namesEqual(issuer.subjectRaw, cert.issuerRaw)) return false
  const aki = cert.authorityKeyIdentifier
  const ski = issuer.subjectKeyIdentifier
  return !(aki && ski && !bytesEqual(aki, ski))
}

function checkValidity(c: Certificate, at: Date): void {
  if (at.getTime() < c.notBefore.getTime()) {
    throw new AegisError(
      'ERR_CERT_NOT_YET_VALID',
      `certificate "${c.subject}" is not valid before ${c.notBefore.toISOString()}`,
      detail(c),
    )
  }
  if (at.getTime() > c.notAfter.getTime()) {
    throw new AegisError(
      'ERR_CERT_EXPIRED',
      `certificate "${c.subject}" expired ${c.notAfter.toISOString()}`,
      detail(c),
    )
  }
}

function checkCriticalExtensions(c: Certificate, isLeaf: boolean): void {
  const ok = isLeaf ? UNDERSTOOD_ON_LEAF : UNDERSTOOD
  for (const e of c.extensions) {
    if (e.critical && !ok.has(e.oid)) {
      throw new AegisError(
        'ERR_CERT_UNKNOWN_CRITICAL_EXTENSION',
        `certificate "${c.subject}" has unknown critical extension ${e.oid}`,
        {
          detail: { subject: c.subject, serial: c.serial, extension: e.oid },
        },
      )
    }
  }
}

/** `belowIntermediates`: non-self-issued intermediates between this CA and the leaf. */
function checkCa(c: Certificate, belowIntermediates: number): void {
  const fail = (why: string) =>
    new AegisError('ERR_CERT_CA_CONSTRAINTS', `certificate "${c.subject}" ${why}`, detail(c))
  if (!c.basicConstraints?.cA) throw fail('is not a CA (basicConstraints cA is not TRUE)')
  if (c.keyUsage && !c.keyUsage.keyCertSign)
    throw fail('may not sign certificates (keyUsage lacks keyCertSign)')
  const pathLen = c.basicConstraints.pathLen
  if (pathLen !== undefined && belowIntermediates > pathLen) {
    throw fail(`allows ${pathLen} intermediate CA(s) below it, the path has ${belowIntermediates}`)
  }
}

/** Validates one complete path, leaf first, anchor last. */
function validatePath(path: Certificate[], at: Date, ecdsa?: EcdsaBackend): void {
  const last = path.length - 1
  for (let i = 0; i <= last; i++) {
    const c = path[i]!
    if (i < last) verifyCertificateSignature(c, path[i + 1]!.publicKey, ecdsa)
    checkValidity(c, at)
    checkCriticalExtensions(c, i === 0)
    if (i > 0) {
      const below = path.slice(1, i).filter((x) => !isSelfIssued(x)).length
      checkCa(c, below)
    }
  }
  processPolicies(path)
}

/**
 * Policies and name constraints, walking from the anchor down (RFC 5280 numbers the path 1..n
 * from the certificate the anchor issued to the leaf; the anchor itself is not processed, but its
 * name constraints apply below it, as an anchor's constraints may per §6.2).
 */
function processPolicies(path: Certificate[]): string[] {
  const down = path.slice(0, -1).reverse()
  const anchor = path[path.length - 1]!
  const n = down.length
  if (n === 0) return []
  const state = new PolicyState(n)
  const constraints = anchor.nameConstraints ? [anchor.nameConstraints] : []
  down.forEach((c, k) => {
    const i = k + 1
    const self = isSelfIssued(c)
    if (i === n || !self) checkNameConstraints(c, constraints)
    state.process(c, i, self)
    if (i < n) {
      state.prepare(c, i, self)
      if (c.nameConstraints) constraints.push(c.nameConstraints)
    }
  })
  return state.finish(path[0]!)
}

export function verifyChain(leaf: Certificate, opts: VerifyChainOptions): { chain: Certificate[] } {
  const { roots, at } = opts
  const intermediates = opts.intermediates ?? []
  const maxDepth = opts.maxDepth ?? 6
  if (!Array.isArray(roots) || roots.length === 0) {
    throw new AegisError('ERR_TRUST_ROOTS', 'no trust roots given')
  }
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw new AegisError('ERR_CONFIG', 'verification time is not a valid date')
  }
  let firstError: unknown
  let found: Certificate[] | undefined

  const attempt = (path: Certificate[]): boolean => {
    try {
      validatePath(path, at, opts.ecdsa)
      found = path
      return true
    } catch (e) {
      firstError ??= e
      return false
    }
  }

  const extend = (path: Certificate[]): boolean => {
    const cert = path[path.length - 1]!
    // A configured root is trusted as is, even when it is the certificate being checked.
    if (path.length === 1 && roots.some((r) => bytesEqual(r.der, cert.der)) && attempt(path))
      return true
    if (path.length >= maxDepth) return false
    for (const r of roots) if (issues(r, cert) && attempt([...path, r])) return true
    for (const im of intermediates) {
      if (!issues(im, cert) || path.some((p) => bytesEqual(p.der, im.der))) continue
      if (roots.some((r) => bytesEqual(r.der, im.der))) continue
      if (extend([...path, im])) return true
    }
    return false
  }

  if (extend([leaf]) && found) return { chain: found }
  if (firstError instanceof AegisError) throw firstError
  if (firstError !== undefined) {
    throw new AegisError('ERR_INTERNAL', 'certificate path validation failed unexpectedly', {
      cause: firstError,
    })
  }
  throw new AegisError(
    'ERR_CERT_CHAIN',
    `no path from "${leaf.subject}" (issuer "${leaf.issuer}") to a trusted root`,
    detail(leaf),
  )
}
