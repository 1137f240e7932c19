/**
 * Read a whole NV index as an agent may (EK certificates): NV_ReadPublic for its size and read
 * attributes, then NV_Read in TPM_PT_NV_BUFFER_MAX chunks, authorized by the index itself
 * (AUTHREAD) or else by the owner (OWNERREAD), both with an empty authValue. The bytes are
 * returned as stored: a DER certificate may be followed by padding up to the index size.
 * Returns undefined when the index does not exist or was never written.
 * Leaves out policy-read indices and non-empty authValues (ERR_TPM_RESPONSE from the TPM).
 */
import { TPMA_NV } from './constants.ts'
import { TPM_RH } from '../../attest/tpm/constants.ts'
import { unlessNoHandle } from './read-persistent.ts'
import type { Tpm } from './tpm.ts'

export async function readNvIndex(tpm: Tpm, index: number): Promise<Uint8Array | undefined> {
  const pub = await unlessNoHandle(() => tpm.nvReadPublic(index))
  if (!pub) return undefined
  if (!(pub.attributes & TPMA_NV.WRITTEN)) return undefined
  // Without AUTHREAD, try the owner; an index readable by neither fails in the TPM with its rc.
  const authHandle = pub.attributes & TPMA_NV.AUTHREAD ? index : TPM_RH.OWNER
  const maxChunk = await tpm.nvBufferMax()
  return tpm.nvRead({ index, authHandle, size: pub.dataSize, maxChunk })
}
