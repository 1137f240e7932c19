/**
 * TPM2_NV_Read (TPM 2.0 Part 3 §31.13): `size` bytes of an NV index from `offset`, in chunks no
 * larger than `maxChunk` (TPM_PT_NV_BUFFER_MAX: a TPM refuses a larger single read).
 * The read is authorized by the index itself (TPMA_NV_AUTHREAD) or by the owner
 * (TPMA_NV_OWNERREAD), each with an empty authValue, as EK certificate indices are provisioned.
 * Leaves out policy-read indices and non-empty authValues.
 */
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import { AegisError } from '../../../attest/errors.ts'
import { TPM_CC } from '../constants.ts'
import { PASSWORD, type Authorization, type TpmExecutor } from '../framing/command-types.ts'

export async function nvRead(
  tpm: TpmExecutor,
  args: {
    index: number
    /** The index itself (AUTHREAD) or TPM_RH_OWNER (OWNERREAD). */
    authHandle: number
    size: number
    offset?: number
    maxChunk: number
    auth?: Authorization
  },
): Promise<Uint8Array> {
  if (args.maxChunk < 1)
    throw new AegisError('ERR_INTERNAL', 'NV_Read: chunk size must be positive')
  const out = new Uint8Array(args.size)
  let done = 0
  while (done < args.size) {
    const n = Math.min(args.maxChunk, args.size - done)
    const res = await tpm.execute({
      code: TPM_CC.NV_Read,
      handles: [args.authHandle, args.index],
      auths: [args.auth ?? PASSWORD],
      params: new ByteWriter()
        .u16(n)
        .u16((args.offset ?? 0) + done)
        .finish(),
    })
    const data = res.params.sized()
    res.params.end()
    if (data.length !== n) {
      throw new AegisError('ERR_TPM_MALFORMED', `NV_Read: asked ${n} bytes, got ${data.length}`)
    }
    out.set(data, done)
    done += n
  }
  return out
}
