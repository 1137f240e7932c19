/**
 * EK templates and EK authorization policies from the TCG EK Credential Profile for TPM Family
 * 2.0: template L-1 (RSA-2048, low range: persistent 0x81010001, certificate
 * in NV 0x01c00002) and template H-3 (ECC NIST P-384, high range: persistent 0x81010016,
 * certificate in NV 0x01c00016), as swtpm_setup provisions them.
 * Leaves out the other templates (L-2 ECC P-256, H-1/H-2/H-4..H-7) and template/nonce NV indices
 * (0x01c00004 etc.), which swtpm_setup does not define.
 * The policy digests are those in shared/notes/tpm-on-swtpm.md; test/node/tpm/activate.test.ts
 * recomputes them and reads them back from real policy sessions.
 */
import { bytesEqual, fromHex } from '../../../attest/bytes/encoding.ts'
import { TPMA_OBJECT as A } from '../../../attest/tpm/constants.ts'
import type { HashAlg } from '../../../attest/tpm/types.ts'
import { template, type Template } from './template.ts'

export type EkKind = 'rsa' | 'ecc'

/** PolicySecret(TPM_RH_ENDORSEMENT), SHA-256: the authPolicy of template L-1. */
export const POLICY_SECRET_ENDORSEMENT_SHA256 = fromHex(
  '837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa',
)
/** PolicySecret(TPM_RH_ENDORSEMENT), SHA-384: policy A of H-3. */
export const POLICY_A_SHA384 = fromHex(
  '8bbf2266537c171cb56e403c4dc1d4b64f432611dc386e6f532050c3278c930e143e8bb1133824ccb431053871c6db53',
)
/** Policy B of H-3: the profile's second branch; the agent only names it in PolicyOR. */
export const POLICY_B_SHA384 = fromHex(
  'd6032ce61f2fb3c240eb3cf6a33237ef2b6a16f4293c22b455e261cffd217ad5b4947c2d73e63005eed2dc2b3593d165',
)
/** PolicyOR(policy A, policy B), SHA-384: the H-3 authPolicy. */
export const POLICY_OR_SHA384 = fromHex(
  'b26e7d28d11a50bc53d882bcf5fd3a1a074148bb35d3b4e4cb1c0ad9bde419cacb47ba09699646150f9fc000f3f80e12',
)

/** fixedTPM, fixedParent, sensitiveDataOrigin, adminWithPolicy, restricted, decrypt: 0x000300b2 */
const EK_ATTRS_LOW =
  A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.adminWithPolicy | A.restricted | A.decrypt
/** High-range templates add userWithAuth (0x000300f2); the policy still guards every use. */
const EK_ATTRS_HIGH = EK_ATTRS_LOW | A.userWithAuth

/** Template L-1: RSA-2048, AES-128-CFB, unique = 256 zero bytes. */
export const EK_RSA_L1: Template = template({
  type: 'rsa',
  nameAlg: 'sha256',
  attributes: EK_ATTRS_LOW,
  authPolicy: POLICY_SECRET_ENDORSEMENT_SHA256,
  symmetric: { alg: 'aes', keyBits: 128, mode: 'cfb' },
  scheme: { scheme: 'null' },
  keyBits: 2048,
  exponent: 65537,
  modulus: new Uint8Array(256),
})

/** Template H-3: ECC NIST P-384, nameAlg SHA-384, AES-256-CFB, empty unique (high range). */
export const EK_ECC_H3: Template = template({
  type: 'ecc',
  nameAlg: 'sha384',
  attributes: EK_ATTRS_HIGH,
  authPolicy: POLICY_OR_SHA384,
  symmetric: { alg: 'aes', keyBits: 256, mode: 'cfb' },
  scheme: { scheme: 'null' },
  curve: 'P-384',
  kdf: { scheme: 'null' },
  x: new Uint8Array(0),
  y: new Uint8Array(0),
})

export interface EkProfile {
  template: Template
  persistentHandle: number
  certIndex: number
}

export const EK_PROFILES: Record<EkKind, EkProfile> = {
  rsa: { template: EK_RSA_L1, persistentHandle: 0x81010001, certIndex: 0x01c00002 },
  ecc: { template: EK_ECC_H3, persistentHandle: 0x81010016, certIndex: 0x01c00016 },
}

/**
 * How to satisfy an EK's authPolicy, chosen by the policy digest itself (so a persistent EK
 * provisioned from another template than its kind suggests is still handled correctly).
 */
export interface EkPolicy {
  hashAlg: HashAlg
  /** After PolicySecret(TPM_RH_ENDORSEMENT), PolicyOR over these branches (or none). */
  orBranches: Uint8Array[] | undefined
}

export function ekPolicyFor(authPolicy: Uint8Array): EkPolicy | undefined {
  if (bytesEqual(authPolicy, POLICY_SECRET_ENDORSEMENT_SHA256)) {
    return { hashAlg: 'sha256', orBranches: undefined }
  }
  if (bytesEqual(authPolicy, POLICY_OR_SHA384)) {
    return { hashAlg: 'sha384', orBranches: [POLICY_A_SHA384, POLICY_B_SHA384] }
  }
  return undefined
}
