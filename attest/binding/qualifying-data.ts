/**
 * What the TPM signs over as qualifyingData (TPMS_ATTEST.extraData) in each protocol step.
 * - batch:      SHA-256(nonce || SHA-256(payloadBytes))  (DESIGN.md "Batch ingest" step 2)
 * - activation: SHA-256("aegis-activate\0" || enrollmentId || 0x00 || secret): the activation quote
 *   proves the AK can quote, pins the PCR baseline, and is bound to this challenge's secret.
 */
import { sha256 } from '../crypto/hash.ts'
import { concat, utf8 } from '../bytes/encoding.ts'

export function batchQualifyingData(nonce: Uint8Array, payload: Uint8Array): Uint8Array {
  return batchQualifyingDataFromHash(nonce, sha256(payload))
}

/** The same from SHA-256(payload) (= the batchId bytes), for callers that already hashed it. */
export function batchQualifyingDataFromHash(
  nonce: Uint8Array,
  payloadSha256: Uint8Array,
): Uint8Array {
  return sha256(concat(nonce, payloadSha256))
}

export function activationQualifyingData(enrollmentId: string, secret: Uint8Array): Uint8Array {
  return sha256(concat(utf8('aegis-activate\0'), utf8(enrollmentId), new Uint8Array([0]), secret))
}
