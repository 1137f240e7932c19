/**
 * Object Names and Qualified Names. Name = nameAlg (u16) || H_nameAlg(TPMT_PUBLIC); a Qualified
 * Name chains the parent's: QN = nameAlg || H_nameAlg(QN(parent) || Name), and a hierarchy's QN is
 * its 4-byte handle. TPMS_ATTEST.qualifiedSigner carries the signer's Qualified Name, not its Name
 * (checked on the tpm2-tools vectors: the AKs' QN under the RSA EK in the endorsement hierarchy).
 * Leaves out Names of NV indices and sessions.
 * Follows TPM 2.0 Part 1 §16 Names, Part 2 §10.5.3 TPMU_NAME.
 */
import { ByteWriter } from '../bytes/writer.ts'
import { concat } from '../bytes/encoding.ts'
import { digest, tpmAlgOfHash } from '../crypto/hash.ts'
import type { TpmPublic } from './types.ts'

export function objectName(pub: TpmPublic): Uint8Array {
  return concat(
    new ByteWriter().u16(tpmAlgOfHash(pub.nameAlg)).finish(),
    digest(pub.nameAlg, pub.raw),
  )
}

/** The Qualified Name of `pub` given its parent's Qualified Name. */
export function qualifiedName(pub: TpmPublic, parentQualifiedName: Uint8Array): Uint8Array {
  const h = digest(pub.nameAlg, concat(parentQualifiedName, objectName(pub)))
  return concat(new ByteWriter().u16(tpmAlgOfHash(pub.nameAlg)).finish(), h)
}

/** A permanent handle's Name (and Qualified Name): the handle, big-endian (e.g. TPM_RH.ENDORSEMENT). */
export function handleName(handle: number): Uint8Array {
  return new ByteWriter().u32(handle).finish()
}
