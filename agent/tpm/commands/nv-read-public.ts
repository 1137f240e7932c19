/**
 * TPM2_NV_ReadPublic (TPM 2.0 Part 3 §31.6): an NV index's public area (TPMS_NV_PUBLIC, Part 2
 * §13.5) and Name. Decodes the few fields the reader needs; an index that does not exist answers
 * TPM_RC_HANDLE (handle 1). Leaves out NV index Name verification and TPMA_NV beyond the bits
 * in constants.ts.
 */
import { ByteReader } from '../../../attest/bytes/reader.ts'
import { AegisError } from '../../../attest/errors.ts'
import { hashAlgFromTpm } from '../../../attest/crypto/hash.ts'
import type { HashAlg } from '../../../attest/tpm/types.ts'
import { TPM_CC } from '../constants.ts'
import type { TpmExecutor } from '../framing/command-types.ts'

export interface NvPublic {
  nvIndex: number
  nameAlg: HashAlg
  /** TPMA_NV, raw. */
  attributes: number
  authPolicy: Uint8Array
  dataSize: number
  name: Uint8Array
}

export async function nvReadPublic(tpm: TpmExecutor, index: number): Promise<NvPublic> {
  const res = await tpm.execute({ code: TPM_CC.NV_ReadPublic, handles: [index] })
  const r = res.params
  const pr = new ByteReader(r.sized(), 'TPMS_NV_PUBLIC')
  const nvIndex = pr.u32()
  const nameAlg = hashAlgFromTpm(pr.u16())
  const attributes = pr.u32()
  const authPolicy = pr.sized(64).slice()
  const dataSize = pr.u16()
  pr.end()
  const name = r.sized().slice()
  r.end()
  if (nvIndex !== index) {
    throw new AegisError(
      'ERR_TPM_MALFORMED',
      `NV_ReadPublic: asked 0x${index.toString(16)}, got 0x${nvIndex.toString(16)}`,
    )
  }
  return { nvIndex, nameAlg, attributes, authPolicy, dataSize, name }
}
