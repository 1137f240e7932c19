/**
 * TPM2_PolicyGetDigest (TPM 2.0 Part 3 §23.19): a policy session's current digest. Used to say
 * which policy step went wrong when an EK refuses a session, and by the tests.
 */
import { TPM_CC } from '../constants.ts'
import type { TpmExecutor } from '../framing/command-types.ts'

export async function policyGetDigest(tpm: TpmExecutor, session: number): Promise<Uint8Array> {
  const res = await tpm.execute({ code: TPM_CC.PolicyGetDigest, handles: [session] })
  const d = res.params.sized().slice()
  res.params.end()
  return d
}
