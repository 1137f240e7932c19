/**
 * TPM2_Load (TPM 2.0 Part 3 §12.2): load a key made by TPM2_Create under its parent. The handle
 * is transient: flush it or persist it with EvictControl.
 * Leaves out TPM2_LoadExternal.
 */
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import { TPM_CC } from '../constants.ts'
import { PASSWORD, type Authorization, type TpmExecutor } from '../framing/command-types.ts'
import { checkName } from '../framing/public-area.ts'
import { parseTpm2bPublic } from '../../../attest/tpm/public.ts'

export async function load(
  tpm: TpmExecutor,
  args: {
    parent: number
    /** TPM2B_PRIVATE and TPM2B_PUBLIC, size prefixes included (as Create returns them). */
    private: Uint8Array
    public: Uint8Array
    parentAuth?: Authorization
  },
): Promise<{ handle: number; name: Uint8Array }> {
  const res = await tpm.execute({
    code: TPM_CC.Load,
    handles: [args.parent],
    auths: [args.parentAuth ?? PASSWORD],
    params: new ByteWriter().bytes(args.private).bytes(args.public).finish(),
    responseHandles: 1,
  })
  const reported = res.params.sized()
  res.params.end()
  return {
    handle: res.handles[0]!,
    name: checkName(parseTpm2bPublic(args.public), reported, 'Load'),
  }
}
