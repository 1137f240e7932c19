/**
 * TPM2_CreatePrimary (TPM 2.0 Part 3 §24.1): derive a primary key in a hierarchy from a template.
 * The same template in the same hierarchy yields the same key (the seed is fixed), which is how an
 * EK is re-created when it is not persistent. The returned handle is transient: flush it.
 * Leaves out a userAuth / sensitive data for the new key and creation PCRs (always empty here).
 */
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import { TPM_CC } from '../constants.ts'
import { PASSWORD, type Authorization, type TpmExecutor } from '../framing/command-types.ts'
import {
  checkName,
  emptySensitiveCreate,
  readPublicArea,
  skipCreationOutputs,
  type PublicArea,
} from '../framing/public-area.ts'

export interface CreatedPrimary extends PublicArea {
  handle: number
  name: Uint8Array
}

export async function createPrimary(
  tpm: TpmExecutor,
  args: {
    /** TPM_RH_ENDORSEMENT, TPM_RH_OWNER, ... */
    hierarchy: number
    /** TPMT_PUBLIC template (no size prefix). */
    template: Uint8Array
    hierarchyAuth?: Authorization
  },
): Promise<CreatedPrimary> {
  const params = new ByteWriter()
    .bytes(emptySensitiveCreate())
    .sized(args.template)
    .sized(new Uint8Array(0)) // outsideInfo
    .u32(0) // creationPCR: empty TPML_PCR_SELECTION
    .finish()
  const res = await tpm.execute({
    code: TPM_CC.CreatePrimary,
    handles: [args.hierarchy],
    auths: [args.hierarchyAuth ?? PASSWORD],
    params,
    responseHandles: 1,
  })
  const handle = res.handles[0]!
  const r = res.params
  const area = readPublicArea(r)
  skipCreationOutputs(r)
  const reported = r.sized()
  r.end()
  return { handle, ...area, name: checkName(area.pub, reported, 'CreatePrimary') }
}
