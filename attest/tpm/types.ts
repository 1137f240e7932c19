/**
 * Typed views of the TPM 2.0 structures Aegis Edge consumes (TPM 2.0 Part 2). Parsers in this
 * folder produce them; crypto, quote checks, credential activation and the agent share them.
 * Every parsed structure keeps `raw`: the exact bytes it came from, for hashing and names.
 */

export type HashAlg = 'sha1' | 'sha256' | 'sha384' | 'sha512'
export type EccCurve = 'P-256' | 'P-384' | 'P-521'

/** TPMA_OBJECT (Part 2 §8.3), decoded. */
export interface ObjectAttributes {
  fixedTPM: boolean
  stClear: boolean
  fixedParent: boolean
  sensitiveDataOrigin: boolean
  userWithAuth: boolean
  adminWithPolicy: boolean
  noDA: boolean
  encryptedDuplication: boolean
  restricted: boolean
  decrypt: boolean
  /** TPMA_OBJECT.sign / encrypt (bit 18). */
  sign: boolean
}

/** TPMT_SYM_DEF_OBJECT; `alg: 'null'` when the key has no symmetric parameters. */
export type SymDef = { alg: 'null' } | { alg: 'aes'; keyBits: 128 | 192 | 256; mode: 'cfb' }

/** TPMT_RSA_SCHEME / TPMT_ECC_SCHEME / TPMT_SIG_SCHEME. */
export type Scheme =
  | { scheme: 'null' }
  | { scheme: 'rsassa' | 'rsapss' | 'ecdsa' | 'oaep' | 'ecdh'; hashAlg: HashAlg }
  | { scheme: 'other'; algId: number; hashAlg?: HashAlg }

interface TpmPublicBase {
  nameAlg: HashAlg
  /** TPMA_OBJECT as the raw 32-bit value. */
  attributes: number
  attrs: ObjectAttributes
  authPolicy: Uint8Array
  symmetric: SymDef
  scheme: Scheme
  /** The TPMT_PUBLIC bytes (without the TPM2B size): the input to the object's Name. */
  raw: Uint8Array
}

export interface RsaPublic extends TpmPublicBase {
  type: 'rsa'
  keyBits: number
  /** Effective public exponent (a marshalled 0 means 65537). */
  exponent: number
  /** Set when the exponent field held 65537 literally; marshalling otherwise writes 65537 as 0. */
  exponentExplicit?: true
  modulus: Uint8Array
}

export interface EccPublic extends TpmPublicBase {
  type: 'ecc'
  curve: EccCurve
  kdf:
    | { scheme: 'null' }
    | { scheme: 'kdf1_sp800_56a' | 'kdf2' | 'kdf1_sp800_108' | 'mgf1'; hashAlg: HashAlg }
  x: Uint8Array
  y: Uint8Array
}

export type TpmPublic = RsaPublic | EccPublic

/** TPMT_SIGNATURE (Part 2 §11.3.4). ECDSA r/s are as marshalled (TPM2B_ECC_PARAMETER bodies). */
export type TpmSignature =
  | { sigAlg: 'rsassa' | 'rsapss'; hashAlg: HashAlg; sig: Uint8Array }
  | { sigAlg: 'ecdsa'; hashAlg: HashAlg; r: Uint8Array; s: Uint8Array }

/** TPMS_PCR_SELECTION with the bitmap decoded to sorted PCR indices. */
export interface PcrSelection {
  hashAlg: HashAlg
  pcrs: number[]
  /** Bitmap bytes as marshalled, set only when not the smallest size >= 3 that holds `pcrs`. */
  sizeofSelect?: number
}

/** PCR values by bank then index. */
export type PcrValues = Partial<Record<HashAlg, Record<number, Uint8Array>>>

/** TPMS_CLOCK_INFO (Part 2 §10.11.1). */
export interface ClockInfo {
  clock: bigint
  resetCount: number
  restartCount: number
  safe: boolean
}

/** TPMS_ATTEST (Part 2 §10.12.12); only the QUOTE and CERTIFY bodies are decoded. */
export interface TpmsAttest {
  magic: number
  type: 'quote' | 'certify'
  qualifiedSigner: Uint8Array
  extraData: Uint8Array
  clockInfo: ClockInfo
  firmwareVersion: bigint
  quote?: { pcrSelect: PcrSelection[]; pcrDigest: Uint8Array }
  certify?: { name: Uint8Array; qualifiedName: Uint8Array }
  raw: Uint8Array
}
