/**
 * TPM2_Create (TPM 2.0 Part 3 §12.1): make an ordinary key under a loaded storage parent and get
 * its wrapped private part and public part back; TPM2_Load puts it into the TPM.
 * Leaves out a userAuth / sensitive data for the new key and creation PCRs (always empty here).
 */
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import { TPM_CC } from '../constants.ts'
import { PASSWORD, type Authorization, type TpmExecutor } from '../framing/command-types.ts'
import {
  emptySensitiveCreate,
  readPublicArea,
  skipCreationOutputs,
  type PublicArea,
} from '../framing/public-area.ts'

export interface CreatedObject extends PublicArea {
  /** TPM2B_PRIVATE as returned (size prefix included), opaque outside this TPM. */
  private: Uint8Array
}

export async function create(
  tpm: TpmExecutor,
  args: { parent: number; template: Uint8Array; parentAuth?: Authorization },
): Promise<CreatedObject> {
  const params = new ByteWriter()
    .bytes(emptySensitiveCreate())
    .sized(args.template)
    .sized(new Uint8Array(0)) // outsideInfo
    .u32(0) // creationPCR
    .finish()
  const res = await tpm.execute({
    code: TPM_CC.Create,
    handles: [args.parent],
    auths: [args.parentAuth ?? PASSWORD],
    params,
  })
  const r = res.params
  const priv = r.sized()
  const area = readPublicArea(r)
  skipCreationOutputs(r)
  r.end()
  return { private: new ByteWriter().sized(priv).finish(), ...area }
}
