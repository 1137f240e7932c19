/**
 * EK templates and EK authorization policies from the TCG EK Credential Profile for TPM Family
 * 2.0 (v2.5, §2.2.1.4 and Annex B): the low range L-1 (RSA-2048) and L-2 (ECC NIST P-256), whose
 * policy is PolicySecret(TPM_RH_ENDORSEMENT), and the high range H-1 (RSA-2048), H-2 (P-256),
 * H-3 (P-384), H-4 (P-521), H-6 (RSA-3072), H-7 (RSA-4096), whose policy is PolicyOR(PolicyA =
 * PolicySecret(endorsement), PolicyC = PolicyAuthorizeNV(EK policy index)) in the template's
 * nameAlg, with userWithAuth set and an empty unique area. Each template's EK certificate lives
 * in its NV index (0x01c00002, 0x01c0000a, 0x01c00012 ... 0x01c0001e). The persistent handles are
 * where TPM vendors and swtpm_setup put them (0x81010001 / 0x81010002 for the low range, and
 * 0x810100xx matching the certificate index for the high range, as swtpm does for H-3 and H-6);
 * an EK elsewhere is re-created from its template with CreatePrimary.
 * Leaves out H-5 (SM2, SM3) and the template/nonce NV indices of the low range.
 * PolicyA and PolicyOR are recomputed from PolicyC in test/node/tpm/ek-templates.test.ts.
 */
import { bytesEqual, fromHex } from '../../../attest/bytes/encoding.ts'
import { TPMA_OBJECT as A } from '../../../attest/tpm/constants.ts'
import type { HashAlg } from '../../../attest/tpm/types.ts'
import { template, type Template } from './template.ts'

/**
 * Which template: 'rsa' (L-1) and 'ecc' (H-3) keep their names from before the other templates
 * existed (agent state files store them).
 */
export type EkKind =
  'rsa' | 'ecc-p256' | 'rsa2048-h' | 'ecc-p256-h' | 'ecc' | 'ecc-p521' | 'rsa3072' | 'rsa4096'

export const EK_KINDS: EkKind[] = [
  'rsa',
  'ecc-p256',
  'rsa2048-h',
  'ecc-p256-h',
  'ecc',
  'ecc-p521',
  'rsa3072',
  'rsa4096',
]

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

/** High-range policy branches per nameAlg: [PolicyA, PolicyC] and their PolicyOR. */
export const HIGH_RANGE_POLICY: Record<
  'sha256' | 'sha384' | 'sha512',
  { a: Uint8Array; c: Uint8Array; or: Uint8Array }
> = {
  sha256: {
    a: POLICY_SECRET_ENDORSEMENT_SHA256,
    c: fromHex('3767e2edd43ff45a3a7e1eaefcef78643dca964632e7aad82c673a30d8633fde'),
    or: fromHex('ca3d0a99a2b93906f7a3342414efcfb3a385d44cd1fd459089d19b5071c0b7a0'),
  },
  sha384: { a: POLICY_A_SHA384, c: POLICY_B_SHA384, or: POLICY_OR_SHA384 },
  sha512: {
    a: fromHex(
      '1e3b76502c8a1425aa0b7b3fc646a1b0fae063b03b5368f9c4cddecaff0891dd682bac1a85d4d832b781ea451915de5fc5bf0dc4a1917cd42fa041e3f998e0ee',
    ),
    c: fromHex(
      '589ee1e146544716e8deafe6db247b01b81e9f9c7dd16b814aa159138749105fba5388dd1dea702f35240c184933121e2c61b8f50d3ef91393a49a38c3f73fc8',
    ),
    or: fromHex(
      'b8221ca69e8550a4914de3faa6a18c072cc01208073a928d5d66d59ef79e49a429c41a6b269571d57edb25fbdb1838425608b413cd616a5f6db5b6071af99bea',
    ),
  },
}

/** fixedTPM, fixedParent, sensitiveDataOrigin, adminWithPolicy, restricted, decrypt: 0x000300b2 */
const EK_ATTRS_LOW =
  A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.adminWithPolicy | A.restricted | A.decrypt
/** High-range templates add userWithAuth (0x000300f2); the policy still guards every use. */
const EK_ATTRS_HIGH = EK_ATTRS_LOW | A.userWithAuth

/**
 * The fields every EK template shares (a restricted AES-CFB decryption key with no scheme), given
 * its hash, attributes, policy, key size and the length of its all-zero unique area: 256 bytes
 * or two 32-byte coordinates in the low range, empty in the high range.
 */
interface EkShape {
  nameAlg: 'sha256' | 'sha384' | 'sha512'
  attributes: number
  authPolicy: Uint8Array
  aesBits: 128 | 256
  uniqueBytes: number
}

function ekBase(e: EkShape) {
  return {
    nameAlg: e.nameAlg,
    attributes: e.attributes,
    authPolicy: e.authPolicy,
    symmetric: { alg: 'aes' as const, keyBits: e.aesBits, mode: 'cfb' as const },
    scheme: { scheme: 'null' as const },
  }
}

function rsaEk(e: EkShape, keyBits: number): Template {
  return template({
    type: 'rsa',
    ...ekBase(e),
    keyBits,
    exponent: 65537,
    modulus: new Uint8Array(e.uniqueBytes),
  })
}

function eccEk(e: EkShape, curve: 'P-256' | 'P-384' | 'P-521'): Template {
  return template({
    type: 'ecc',
    ...ekBase(e),
    curve,
    kdf: { scheme: 'null' },
    x: new Uint8Array(e.uniqueBytes),
    y: new Uint8Array(e.uniqueBytes),
  })
}

const LOW = { attributes: EK_ATTRS_LOW, authPolicy: POLICY_SECRET_ENDORSEMENT_SHA256 } as const

/** Template L-1: RSA-2048, AES-128-CFB, unique = 256 zero bytes. */
export const EK_RSA_L1: Template = rsaEk(
  { ...LOW, nameAlg: 'sha256', aesBits: 128, uniqueBytes: 256 },
  2048,
)

/** Template L-2: ECC NIST P-256, AES-128-CFB, unique = two 32-byte zero coordinates. */
export const EK_ECC_L2: Template = eccEk(
  { ...LOW, nameAlg: 'sha256', aesBits: 128, uniqueBytes: 32 },
  'P-256',
)

type HighHash = keyof typeof HIGH_RANGE_POLICY

function high(nameAlg: HighHash, aesBits: 128 | 256): EkShape {
  const authPolicy = HIGH_RANGE_POLICY[nameAlg].or
  return { nameAlg, attributes: EK_ATTRS_HIGH, authPolicy, aesBits, uniqueBytes: 0 }
}

function highRsa(nameAlg: HighHash, keyBits: number, aesBits: 128 | 256): Template {
  return rsaEk(high(nameAlg, aesBits), keyBits)
}

function highEcc(
  nameAlg: HighHash,
  curve: 'P-256' | 'P-384' | 'P-521',
  aesBits: 128 | 256,
): Template {
  return eccEk(high(nameAlg, aesBits), curve)
}

/** Template H-3: ECC NIST P-384, nameAlg SHA-384, AES-256-CFB, empty unique (high range). */
export const EK_ECC_H3: Template = highEcc('sha384', 'P-384', 256)

export interface EkProfile {
  /** TCG template name (L-1, H-3, ...). */
  id: string
  template: Template
  persistentHandle: number
  certIndex: number
}

export const EK_PROFILES: Record<EkKind, EkProfile> = {
  rsa: {
    id: 'L-1',
    template: EK_RSA_L1,
    persistentHandle: 0x81010001,
    certIndex: 0x01c00002,
  },
  'ecc-p256': {
    id: 'L-2',
    template: EK_ECC_L2,
    persistentHandle: 0x81010002,
    certIndex: 0x01c0000a,
  },
  'rsa2048-h': {
    id: 'H-1',
    template: highRsa('sha256', 2048, 128),
    persistentHandle: 0x81010012,
    certIndex: 0x01c00012,
  },
  'ecc-p256-h': {
    id: 'H-2',
    template: highEcc('sha256', 'P-256', 128),
    persistentHandle: 0x81010014,
    certIndex: 0x01c00014,
  },
  ecc: {
    id: 'H-3',
    template: EK_ECC_H3,
    persistentHandle: 0x81010016,
    certIndex: 0x01c00016,
  },
  'ecc-p521': {
    id: 'H-4',
    template: highEcc('sha512', 'P-521', 256),
    persistentHandle: 0x81010018,
    certIndex: 0x01c00018,
  },
  rsa3072: {
    id: 'H-6',
    template: highRsa('sha384', 3072, 256),
    persistentHandle: 0x8101001c,
    certIndex: 0x01c0001c,
  },
  rsa4096: {
    id: 'H-7',
    template: highRsa('sha384', 4096, 256),
    persistentHandle: 0x8101001e,
    certIndex: 0x01c0001e,
  },
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
  for (const [hashAlg, p] of Object.entries(HIGH_RANGE_POLICY) as [
    HighHash,
    (typeof HIGH_RANGE_POLICY)[HighHash],
  ][]) {
    if (bytesEqual(authPolicy, p.or)) return { hashAlg, orBranches: [p.a, p.c] }
  }
  return undefined
}
