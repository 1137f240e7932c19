/**
 * The parsed view of an X.509 v1-v3 certificate (RFC 5280 §4.1) that the chain verifier, the EK
 * checks and the CLI share. Byte fields are copies of the exact DER they came from: `tbs` is what
 * the issuer signed, `issuerRaw` / `subjectRaw` are what chain building compares.
 */
import type { EccCurve, HashAlg } from '../tpm/types.ts'

export type CertPublicKey =
  | { type: 'rsa'; n: Uint8Array; e: bigint; bits: number }
  | { type: 'ec'; curve: EccCurve; x: Uint8Array; y: Uint8Array }
  /** A key algorithm Aegis Edge does not use (Ed25519, DSA, an unknown curve...). */
  | { type: 'other'; algorithm: string }

export type CertSignatureAlgorithm = { oid: string; name: string } & (
  | { kind: 'rsa-pkcs1' | 'ecdsa'; hash: HashAlg }
  | { kind: 'rsa-pss'; hash: HashAlg; saltLength: number }
  /** Recognised by OID only (Ed25519, DSA, PSS with unsupported parameters...): never verifies. */
  | { kind: 'other' }
)

export interface CertExtension {
  oid: string
  critical: boolean
  /** extnValue contents (the DER inside the OCTET STRING). */
  value: Uint8Array
}

export interface KeyUsage {
  digitalSignature: boolean
  contentCommitment: boolean
  keyEncipherment: boolean
  dataEncipherment: boolean
  keyAgreement: boolean
  keyCertSign: boolean
  cRLSign: boolean
  encipherOnly: boolean
  decipherOnly: boolean
}

/** TPM identity from the EK certificate's subjectAltName directoryName (TCG EK profile §3.2.9). */
export interface TcgDeviceInfo {
  manufacturer?: string
  model?: string
  version?: string
}

export interface Certificate {
  /** The whole certificate DER. */
  der: Uint8Array
  /** 1, 2 or 3. */
  version: number
  /** Lowercase hex of the serial's two's-complement contents without a sign-only leading zero. */
  serial: string
  issuer: string
  issuerRaw: Uint8Array
  subject: string
  subjectRaw: Uint8Array
  notBefore: Date
  notAfter: Date
  /** SubjectPublicKeyInfo DER. */
  spki: Uint8Array
  publicKey: CertPublicKey
  signatureAlgorithm: CertSignatureAlgorithm
  /** TBSCertificate DER: the signed bytes. */
  tbs: Uint8Array
  /** signatureValue BIT STRING contents (DER ECDSA-Sig-Value for ECDSA). */
  signature: Uint8Array
  extensions: CertExtension[]
  basicConstraints?: { cA: boolean; pathLen?: number }
  keyUsage?: KeyUsage
  extKeyUsage?: string[]
  subjectKeyIdentifier?: Uint8Array
  authorityKeyIdentifier?: Uint8Array
  tcg?: TcgDeviceInfo
  /** certificatePolicies identifiers (RFC 5280 §4.2.1.4), qualifiers left out. */
  policies?: string[]
  policyMappings?: { issuer: string; subject: string }[]
  policyConstraints?: PolicyConstraints
  inhibitAnyPolicy?: number
  nameConstraints?: NameConstraints
  /** subjectAltName entries, for name constraints. */
  subjectAltNames?: GeneralName[]
}

export interface PolicyConstraints {
  requireExplicitPolicy?: number
  inhibitPolicyMapping?: number
}

/**
 * A GeneralName (RFC 5280 §4.2.1.6) by its context tag: 1 rfc822Name, 2 dNSName, 4
 * directoryName, 6 URI, 7 iPAddress (bytes = the contents); for 4, `bytes` is the Name DER and
 * `rdns` each RDN's DER; other forms keep their whole DER and are never matched.
 */
export interface GeneralName {
  tag: number
  bytes: Uint8Array
  rdns?: Uint8Array[]
}

export interface GeneralSubtree {
  base: GeneralName
}

export interface NameConstraints {
  permitted?: GeneralSubtree[]
  excluded?: GeneralSubtree[]
}
