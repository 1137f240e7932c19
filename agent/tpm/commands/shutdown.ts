/**
 * TPM2_Shutdown(TPM_SU_CLEAR) (TPM 2.0 Part 3 §9.4): an orderly shutdown before the TPM loses
 * power. Without it the next boot reports clockInfo.safe = NO (Part 2 §10.11.1: a clock value
 * greater than the current one may have been reported), and the collector rejects quotes with an
 * unsafe clock. The agent sends it on graceful stop; tests send it before stopping swtpm.
 */
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import { TPM_CC, TPM_SU_CLEAR } from '../constants.ts'
import type { TpmExecutor } from '../framing/command-types.ts'

export async function shutdown(tpm: TpmExecutor): Promise<void> {
  const res = await tpm.execute({
    code: TPM_CC.Shutdown,
    params: new ByteWriter().u16(TPM_SU_CLEAR).finish(),
  })
  res.params.end()
}
