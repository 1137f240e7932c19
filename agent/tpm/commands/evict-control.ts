/**
 * TPM2_EvictControl (TPM 2.0 Part 3 §28.5) in the owner hierarchy: make a persistent copy of a
 * loaded object at `persistent`, or (object == persistent) remove a persistent object.
 * Leaves out platform-hierarchy persistence (0x81800000..) and a non-empty owner authValue.
 */
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import { TPM_CC } from '../constants.ts'
import { TPM_RH } from '../../../attest/tpm/constants.ts'
import { PASSWORD, type Authorization, type TpmExecutor } from '../framing/command-types.ts'

export async function evictControl(
  tpm: TpmExecutor,
  args: { object: number; persistent: number; ownerAuth?: Authorization },
): Promise<void> {
  const res = await tpm.execute({
    code: TPM_CC.EvictControl,
    handles: [TPM_RH.OWNER, args.object],
    auths: [args.ownerAuth ?? PASSWORD],
    params: new ByteWriter().u32(args.persistent).finish(),
  })
  res.params.end()
}
