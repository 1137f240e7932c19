/**
 * TPM2_Startup(TPM_SU_CLEAR) (TPM 2.0 Part 3 §9.3). A TPM that is already running answers
 * TPM_RC_INITIALIZE, which is success here: swtpm is started with `--flags startup-clear` and a
 * platform TPM is started by firmware, so the agent only needs this after a bare _TPM_Init.
 * Leaves out Startup(STATE) (resume) and Shutdown.
 */
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import { isAegisError } from '../../../attest/errors.ts'
import { TPM_CC, TPM_SU_CLEAR } from '../constants.ts'
import type { TpmExecutor } from '../framing/command-types.ts'
import { RC } from '../response-code.ts'

export async function startup(tpm: TpmExecutor): Promise<'started' | 'already-started'> {
  try {
    const res = await tpm.execute({
      code: TPM_CC.Startup,
      params: new ByteWriter().u16(TPM_SU_CLEAR).finish(),
    })
    res.params.end()
    return 'started'
  } catch (e) {
    if (isAegisError(e) && e.code === 'ERR_TPM_RESPONSE' && e.detail?.rc === RC.INITIALIZE) {
      return 'already-started'
    }
    throw e
  }
}
