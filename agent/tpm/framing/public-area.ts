/**
 * Read a TPM2B_PUBLIC out of a response, keep its exact bytes (size prefix included, the form the
 * collector takes), parse it with the shared strict parser, and check a Name the TPM reported
 * against the one computed from those bytes (a cheap guard against a confused response).
 * TPM 2.0 Part 2 §12.2.5 TPM2B_PUBLIC, Part 1 §16 Names.
 */
import type { ByteReader } from '../../../attest/bytes/reader.ts'
import { bytesEqual, concat } from '../../../attest/bytes/encoding.ts'
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import { AegisError } from '../../../attest/errors.ts'
import { objectName } from '../../../attest/tpm/name.ts'
import { parseTpmtPublic } from '../../../attest/tpm/public.ts'
import type { TpmPublic } from '../../../attest/tpm/types.ts'

export interface PublicArea {
  /** TPM2B_PUBLIC: u16 size || TPMT_PUBLIC. */
  public: Uint8Array
  pub: TpmPublic
}

export function readPublicArea(r: ByteReader): PublicArea {
  const body = r.sized()
  const pub = parseTpmtPublic(body)
  return { public: concat(new ByteWriter().u16(body.length).finish(), body), pub }
}

export function checkName(pub: TpmPublic, reported: Uint8Array, what: string): Uint8Array {
  const name = objectName(pub)
  if (!bytesEqual(name, reported)) {
    throw new AegisError(
      'ERR_TPM_MALFORMED',
      `${what}: the TPM's Name does not match the public area`,
    )
  }
  return name
}

/** TPM2B_SENSITIVE_CREATE with an empty userAuth and no data: the TPM generates the key. */
export function emptySensitiveCreate(): Uint8Array {
  return new ByteWriter().u16(4).u16(0).u16(0).finish()
}

/** Skip creationData, creationHash, creationTicket (Part 2 §15.1, §10.7.3 TPMT_TK_CREATION). */
export function skipCreationOutputs(r: ByteReader): void {
  r.sized() // TPM2B_CREATION_DATA
  r.sized() // TPM2B_DIGEST creationHash
  r.u16() // ticket tag
  r.u32() // ticket hierarchy
  r.sized() // ticket digest
}
