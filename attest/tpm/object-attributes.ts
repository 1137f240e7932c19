/**
 * Decodes TPMA_OBJECT into named flags. The raw 32-bit value stays on TpmPublic.attributes, so
 * reserved bits are neither rejected nor lost (newer spec revisions assign some, e.g. x509sign).
 * Follows TPM 2.0 Part 2 §8.3 TPMA_OBJECT.
 */
import { TPMA_OBJECT } from './constants.ts'
import type { ObjectAttributes } from './types.ts'

export function decodeObjectAttributes(v: number): ObjectAttributes {
  const has = (bit: number) => (v & bit) !== 0
  return {
    fixedTPM: has(TPMA_OBJECT.fixedTPM),
    stClear: has(TPMA_OBJECT.stClear),
    fixedParent: has(TPMA_OBJECT.fixedParent),
    sensitiveDataOrigin: has(TPMA_OBJECT.sensitiveDataOrigin),
    userWithAuth: has(TPMA_OBJECT.userWithAuth),
    adminWithPolicy: has(TPMA_OBJECT.adminWithPolicy),
    noDA: has(TPMA_OBJECT.noDA),
    encryptedDuplication: has(TPMA_OBJECT.encryptedDuplication),
    restricted: has(TPMA_OBJECT.restricted),
    decrypt: has(TPMA_OBJECT.decrypt),
    sign: has(TPMA_OBJECT.sign),
  }
}
