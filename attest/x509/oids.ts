/**
 * Object identifiers the X.509 code recognises: RFC 5280 §4.2.1 extensions, RFC 4055 / RFC 5758
 * signature algorithms and hashes, RFC 5480 curves, RFC 4519 attribute names, and the TCG EK
 * Credential Profile (v2.5 §3.2) TPM attributes and EK purpose. Leaves out everything else.
 */
import type { EccCurve, HashAlg } from '../tpm/types.ts'

export const OID = {
  // Extensions (RFC 5280 §4.2.1)
  subjectDirectoryAttributes: '2.5.29.9',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  issuerAltName: '2.5.29.18',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  policyConstraints: '2.5.29.36',
  freshestCrl: '2.5.29.46',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  subjectInfoAccess: '1.3.6.1.5.5.7.1.11',
  // Keys
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
  // TCG
  tcgManufacturer: '2.23.133.2.1',
  tcgModel: '2.23.133.2.2',
  tcgVersion: '2.23.133.2.3',
  tcgEkCertificate: '2.23.133.8.1',
} as const

export const HASH_OIDS: Record<string, HashAlg> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
}

/** PKCS#1 v1.5 and ECDSA signature algorithm OIDs (RFC 4055 §5, RFC 5758 §3.2, RFC 3279). */
export const SIG_OIDS: Record<
  string,
  { kind: 'rsa-pkcs1' | 'ecdsa'; hash: HashAlg; name: string }
> = {
  '1.2.840.113549.1.1.5': { kind: 'rsa-pkcs1', hash: 'sha1', name: 'sha1WithRSAEncryption' },
  '1.2.840.113549.1.1.11': { kind: 'rsa-pkcs1', hash: 'sha256', name: 'sha256WithRSAEncryption' },
  '1.2.840.113549.1.1.12': { kind: 'rsa-pkcs1', hash: 'sha384', name: 'sha384WithRSAEncryption' },
  '1.2.840.113549.1.1.13': { kind: 'rsa-pkcs1', hash: 'sha512', name: 'sha512WithRSAEncryption' },
  '1.2.840.10045.4.1': { kind: 'ecdsa', hash: 'sha1', name: 'ecdsa-with-SHA1' },
  '1.2.840.10045.4.3.2': { kind: 'ecdsa', hash: 'sha256', name: 'ecdsa-with-SHA256' },
  '1.2.840.10045.4.3.3': { kind: 'ecdsa', hash: 'sha384', name: 'ecdsa-with-SHA384' },
  '1.2.840.10045.4.3.4': { kind: 'ecdsa', hash: 'sha512', name: 'ecdsa-with-SHA512' },
}

export const CURVE_OIDS: Record<string, EccCurve> = {
  '1.2.840.10045.3.1.7': 'P-256',
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521',
}

/** Short names for distinguished-name attributes (RFC 4514 §3 plus common RFC 4519 ones). */
export const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '2.23.133.2.1': 'TPMManufacturer',
  '2.23.133.2.2': 'TPMModel',
  '2.23.133.2.3': 'TPMVersion',
}
