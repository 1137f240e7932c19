/**
 * TPM2_FlushContext (TPM 2.0 Part 3 §28.4): drop a transient object or a session from the TPM.
 * The handle is a parameter, not in the handle area. Leaves out context save/load.
 */
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import { TPM_CC } from '../constants.ts'
import type { TpmExecutor } from '../framing/command-types.ts'

export async function flushContext(tpm: TpmExecutor, handle: number): Promise<void> {
  const res = await tpm.execute({
    code: TPM_CC.FlushContext,
    params: new ByteWriter().u32(handle).finish(),
  })
  res.params.end()
}
