/**
 * Checks a TPM2_Certify: the signer is a restricted signing key (ERR_AK_ATTRIBUTES), the
 * TPMS_ATTEST parses strictly with type CERTIFY, its qualifiedSigner fits the signer
 * (ERR_CERTIFY_SIGNER; see verify-quote.ts on Qualified Names), the certified Name is the expected
 * object's Name (ERR_CERTIFY_NAME), extraData equals the expected qualifying data, empty when none
 * is given (ERR_CERTIFY_NONCE), and the signature verifies (ERR_CERTIFY_SIGNATURE).
 * Leaves out the certified object's Qualified Name (it depends on that object's parents) and the
 * clock: a certification is about the object, not about when.
 * Follows TPM 2.0 Part 3 §18.2 TPM2_Certify, Part 2 §10.12.3 TPMS_CERTIFY_INFO.
 */
import { AegisError } from '../errors.ts'
import { bytesEqual, constantTimeEqual } from '../bytes/encoding.ts'
import { verifyTpmSignature } from '../crypto/verify-tpm-signature.ts'
import { parseTpmsAttest } from '../tpm/attest.ts'
import { parseTpmtSignature } from '../tpm/signature.ts'
import type { HashAlg, TpmPublic, TpmSignature, TpmsAttest } from '../tpm/types.ts'
import { assertRestrictedSigner, signerMatches } from './verify-quote.ts'

export interface VerifyCertifyInput {
  signer: TpmPublic
  attest: Uint8Array
  signature: Uint8Array
  /** Name of the certified object: objectName(its public). */
  certifiedName: Uint8Array
  /** Qualifying data given to TPM2_Certify; default empty. */
  expectedExtraData?: Uint8Array
  /** The signer's Qualified Name, when known. */
  expectedSigner?: Uint8Array
  allowedHashes?: readonly HashAlg[]
}

export interface CertifyResult {
  attest: TpmsAttest
  signature: TpmSignature
  name: Uint8Array
  qualifiedName: Uint8Array
}

export function verifyCertify(input: VerifyCertifyInput): CertifyResult {
  assertRestrictedSigner(input.signer)
  const attest = parseTpmsAttest(input.attest)
  if (attest.type !== 'certify' || !attest.certify) {
    throw new AegisError('ERR_ATTEST_TYPE', 'TPMS_ATTEST is not a certification', {
      detail: { attestType: attest.type },
    })
  }
  if (!signerMatches(attest.qualifiedSigner, input.signer, input.expectedSigner)) {
    throw new AegisError('ERR_CERTIFY_SIGNER', 'certification was not made by this key')
  }
  if (!bytesEqual(attest.certify.name, input.certifiedName)) {
    throw new AegisError('ERR_CERTIFY_NAME', 'certified Name differs from the expected object')
  }
  if (!constantTimeEqual(attest.extraData, input.expectedExtraData ?? new Uint8Array(0))) {
    throw new AegisError('ERR_CERTIFY_NONCE', 'certification extraData does not match')
  }
  const signature = parseTpmtSignature(input.signature)
  verifyTpmSignature(input.signer, input.attest, signature, {
    allowedHashes: input.allowedHashes,
    invalidCode: 'ERR_CERTIFY_SIGNATURE',
  })
  return {
    attest,
    signature,
    name: attest.certify.name,
    qualifiedName: attest.certify.qualifiedName,
  }
}
