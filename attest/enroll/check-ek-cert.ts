/**
 * The EK certificate as a genuine-device proof: strip the NV padding, parse, build the chain to a
 * configured manufacturer root (RFC 5280 path validation, attest/x509/verify-chain.ts) through the
 * configured intermediates and the CA certificates the agent sent (the chain some TPMs keep in NV,
 * or one the operator gave the agent with --ek-cert), and check that the certified key is the EK
 * the agent presented. Certificates the agent sends are never anchors: they only help build a
 * path that must still end at a configured root. Returns what the agent record keeps, including
 * the CA certificates of the path found, so bundles can carry them to auditors.
 */
import { sha256 } from '../crypto/hash.ts'
import { toHex } from '../bytes/encoding.ts'
import { AegisError } from '../errors.ts'
import type { TpmPublic } from '../tpm/types.ts'
import type { Certificate } from '../x509/types.ts'
import { parseCertificate } from '../x509/parse-certificate.ts'
import { parsePemBundle } from '../x509/pem.ts'
import { stripEkCertPadding } from '../x509/ek-cert-padding.ts'
import { verifyChain } from '../x509/verify-chain.ts'
import type { EcdsaBackend } from '../crypto/ecdsa-backend.ts'
import { assertEkCertMatches } from '../x509/ek-match.ts'

export interface EkCertCheck {
  /** The certificate DER without NV padding. */
  der: Uint8Array
  sha256: string
  serial: string
  issuer: string
  subject: string
  tcg: { manufacturer?: string; model?: string; version?: string } | undefined
  /** DER of the path's CA certificates above the EK certificate, anchor last. */
  chain: Uint8Array[]
}

export interface ParsedTrust {
  roots: Certificate[]
  intermediates: Certificate[]
}

/** The configured PEM bundles, parsed (callers may cache this per configuration). */
export function parseTrust(rootsPem: string[], intermediatesPem: string[]): ParsedTrust {
  const parse = (pems: string[]) =>
    pems.flatMap((p) => parsePemBundle(p)).map((d) => parseCertificate(d))
  return { roots: parse(rootsPem), intermediates: parse(intermediatesPem) }
}

export function checkEkCertificate(input: {
  nvBytes: Uint8Array
  ek: TpmPublic
  trust: ParsedTrust
  /** DER of CA certificates sent with the EK certificate (untrusted path-building help). */
  sentIntermediates?: Uint8Array[]
  at: Date
  /** ECDSA implementation for the chain; default the noble reference. */
  ecdsa?: EcdsaBackend
}): EkCertCheck {
  const roots = input.trust.roots
  if (roots.length === 0)
    throw new AegisError('ERR_TRUST_ROOTS', 'no manufacturer roots configured')
  const intermediates = [
    ...input.trust.intermediates,
    ...(input.sentIntermediates ?? []).map((d) => parseCertificate(d)),
  ]
  const der = stripEkCertPadding(input.nvBytes)
  const cert = parseCertificate(der)
  const { chain } = verifyChain(cert, { roots, intermediates, at: input.at, ecdsa: input.ecdsa })
  assertEkCertMatches(cert, input.ek)
  return {
    der,
    sha256: toHex(sha256(der)),
    serial: cert.serial,
    issuer: cert.issuer,
    subject: cert.subject,
    tcg: cert.tcg,
    chain: chain.slice(1).map((c) => c.der),
  }
}
