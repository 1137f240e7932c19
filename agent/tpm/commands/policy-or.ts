/**
 * TPM2_PolicyOR (TPM 2.0 Part 3 §23.6): if the session's current digest is one of `digests`,
 * replace it with H(0...0 || TPM_CC_PolicyOR || digests...). 2 to 8 branches.
 */
import { AegisError } from '../../../attest/errors.ts'
import { marshalTpmlDigest } from '../../../attest/tpm/marshal-digest-list.ts'
import { TPM_CC } from '../constants.ts'
import type { TpmExecutor } from '../framing/command-types.ts'

export async function policyOr(
  tpm: TpmExecutor,
  session: number,
  digests: readonly Uint8Array[],
): Promise<void> {
  if (digests.length < 2 || digests.length > 8) {
    throw new AegisError('ERR_INTERNAL', 'PolicyOR takes 2 to 8 digests')
  }
  const res = await tpm.execute({
    code: TPM_CC.PolicyOR,
    handles: [session],
    params: marshalTpmlDigest(digests),
  })
  res.params.end()
}
