/**
 * TPM2_ReadPublic (TPM 2.0 Part 3 §12.4): the public area, Name and Qualified Name of a loaded or
 * persistent object. A handle with nothing behind it answers TPM_RC_HANDLE (handle 1).
 */
import { TPM_CC } from '../constants.ts'
import type { TpmExecutor } from '../framing/command-types.ts'
import { checkName, readPublicArea, type PublicArea } from '../framing/public-area.ts'

export interface ObjectPublic extends PublicArea {
  name: Uint8Array
  qualifiedName: Uint8Array
}

export async function readPublic(tpm: TpmExecutor, handle: number): Promise<ObjectPublic> {
  const res = await tpm.execute({ code: TPM_CC.ReadPublic, handles: [handle] })
  const r = res.params
  const area = readPublicArea(r)
  const reported = r.sized()
  const qualifiedName = r.sized().slice()
  r.end()
  return { ...area, name: checkName(area.pub, reported, 'ReadPublic'), qualifiedName }
}
