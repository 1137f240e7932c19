/**
 * TPM 2.0 constants used by the parsers and marshallers in this folder, with the small lookup
 * tables between wire values and the names in types.ts. Hash algorithm ids live in
 * attest/crypto/hash.ts (hashAlgFromTpm / tpmAlgOfHash); they are not repeated here.
 * Leaves out every algorithm, curve and structure tag Aegis Edge never meets.
 * Follows TPM 2.0 Part 2 §6.3 (TPM_ALG_ID), §6.4 (TPM_ECC_CURVE), §6.9 (TPM_ST), §6.2
 * (TPM_GENERATED), §7.4 (TPM_RH) and §8.3 (TPMA_OBJECT).
 */
import type { EccCurve } from './types.ts'

/** TPM_GENERATED_VALUE: the magic that opens every TPMS_ATTEST the TPM itself produced. */
export const TPM_GENERATED_VALUE = 0xff544347

export const TPM_ALG = {
  RSA: 0x0001,
  SHA1: 0x0004,
  HMAC: 0x0005,
  AES: 0x0006,
  MGF1: 0x0007,
  KEYEDHASH: 0x0008,
  SHA256: 0x000b,
  SHA384: 0x000c,
  SHA512: 0x000d,
  NULL: 0x0010,
  RSASSA: 0x0014,
  RSAES: 0x0015,
  RSAPSS: 0x0016,
  OAEP: 0x0017,
  ECDSA: 0x0018,
  ECDH: 0x0019,
  ECDAA: 0x001a,
  SM2: 0x001b,
  ECSCHNORR: 0x001c,
  ECMQV: 0x001d,
  KDF1_SP800_56A: 0x0020,
  KDF2: 0x0021,
  KDF1_SP800_108: 0x0022,
  ECC: 0x0023,
  SYMCIPHER: 0x0025,
  CFB: 0x0043,
} as const

export const TPM_ST = {
  ATTEST_NV: 0x8014,
  ATTEST_COMMAND_AUDIT: 0x8015,
  ATTEST_SESSION_AUDIT: 0x8016,
  ATTEST_CERTIFY: 0x8017,
  ATTEST_QUOTE: 0x8018,
  ATTEST_TIME: 0x8019,
  ATTEST_CREATION: 0x801a,
  ATTEST_NV_DIGEST: 0x801c,
} as const

/** Permanent hierarchy handles: the parent Qualified Name of a primary object (Part 1 §16). */
/** Permanent handles: the hierarchies, and TPM_RH_NULL and TPM_RS_PW for the command client. */
export const TPM_RH = {
  OWNER: 0x40000001,
  NULL: 0x40000007,
  PW: 0x40000009,
  ENDORSEMENT: 0x4000000b,
  PLATFORM: 0x4000000c,
} as const

export const TPM_ECC_CURVE: Record<EccCurve, number> = {
  'P-256': 0x0003,
  'P-384': 0x0004,
  'P-521': 0x0005,
}

/** Field size in bytes: the length of each marshalled coordinate and of r and s. */
export const ECC_CURVE_BYTES: Record<EccCurve, number> = {
  'P-256': 32,
  'P-384': 48,
  'P-521': 66,
}

export function eccCurveFromTpm(id: number): EccCurve | undefined {
  for (const [name, v] of Object.entries(TPM_ECC_CURVE)) if (v === id) return name as EccCurve
  return undefined
}

/** TPMA_OBJECT bit masks (Part 2 §8.3.2). Bits not listed are reserved. */
export const TPMA_OBJECT = {
  fixedTPM: 1 << 1,
  stClear: 1 << 2,
  fixedParent: 1 << 4,
  sensitiveDataOrigin: 1 << 5,
  userWithAuth: 1 << 6,
  adminWithPolicy: 1 << 7,
  noDA: 1 << 10,
  encryptedDuplication: 1 << 11,
  restricted: 1 << 16,
  decrypt: 1 << 17,
  sign: 1 << 18,
} as const

/** Schemes whose details are a single TPMS_SCHEME_HASH (Part 2 §11.2.3), by wire id. */
export const HASH_SCHEMES = {
  [TPM_ALG.RSASSA]: 'rsassa',
  [TPM_ALG.RSAPSS]: 'rsapss',
  [TPM_ALG.OAEP]: 'oaep',
  [TPM_ALG.ECDSA]: 'ecdsa',
  [TPM_ALG.ECDH]: 'ecdh',
} as const satisfies Record<number, string>

export const SCHEME_ALG: Record<'rsassa' | 'rsapss' | 'oaep' | 'ecdsa' | 'ecdh', number> = {
  rsassa: TPM_ALG.RSASSA,
  rsapss: TPM_ALG.RSAPSS,
  oaep: TPM_ALG.OAEP,
  ecdsa: TPM_ALG.ECDSA,
  ecdh: TPM_ALG.ECDH,
}

export const KDF_ALG: Record<'kdf1_sp800_56a' | 'kdf2' | 'kdf1_sp800_108' | 'mgf1', number> = {
  kdf1_sp800_56a: TPM_ALG.KDF1_SP800_56A,
  kdf2: TPM_ALG.KDF2,
  kdf1_sp800_108: TPM_ALG.KDF1_SP800_108,
  mgf1: TPM_ALG.MGF1,
}

/** Largest TPMU_HA (SHA-512): bounds TPM2B_DIGEST; a TPM2B_NAME adds the 2-byte algorithm id. */
export const MAX_DIGEST_BYTES = 64
export const MAX_NAME_BYTES = MAX_DIGEST_BYTES + 2
/** TPM2B_DATA is bounded by sizeof(TPMT_HA). */
export const MAX_DATA_BYTES = MAX_DIGEST_BYTES + 2
/** TPM2B_PUBLIC_KEY_RSA: MAX_RSA_KEY_BYTES for 4096-bit keys. */
export const MAX_RSA_KEY_BYTES = 512
/** TPM2B_ECC_PARAMETER: MAX_ECC_KEY_BYTES for P-521. */
export const MAX_ECC_KEY_BYTES = 66
/** TPML_PCR_SELECTION entries (HASH_COUNT in the TSS headers) and TPML_DIGEST entries. */
export const MAX_PCR_BANKS = 16
export const MAX_DIGESTS_IN_LIST = 8
/** PCR_SELECT_MIN / PCR_SELECT_MAX: a PC-client TPM has 24 PCRs (3 bytes); the TSS allows 4. */
export const PCR_SELECT_MIN = 3
export const PCR_SELECT_MAX = 4
