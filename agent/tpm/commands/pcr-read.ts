/**
 * TPM2_PCR_Read (TPM 2.0 Part 3 §22.4), one call: the TPM returns the values of as many selected
 * PCRs as fit in one TPML_DIGEST (at most 8), the selection it actually answered, and its
 * pcrUpdateCounter. The loop over calls is in agent/tpm/quote.ts (readPcrs).
 */
import { readTpmlDigest } from '../../../attest/tpm/digest-list.ts'
import { marshalTpmlPcrSelection } from '../../../attest/tpm/marshal-pcr-selection.ts'
import { readTpmlPcrSelection } from '../../../attest/tpm/pcr-selection.ts'
import type { PcrSelection } from '../../../attest/tpm/types.ts'
import { TPM_CC } from '../constants.ts'
import type { TpmExecutor } from '../framing/command-types.ts'

export interface PcrReadResult {
  updateCounter: number
  selection: PcrSelection[]
  /** In the order of `selection`: banks in order, PCRs ascending within each. */
  digests: Uint8Array[]
}

export async function pcrRead(
  tpm: TpmExecutor,
  selection: readonly PcrSelection[],
): Promise<PcrReadResult> {
  const res = await tpm.execute({
    code: TPM_CC.PCR_Read,
    params: marshalTpmlPcrSelection(selection),
  })
  const r = res.params
  const updateCounter = r.u32()
  const sel = readTpmlPcrSelection(r)
  const digests = readTpmlDigest(r)
  r.end()
  return { updateCounter, selection: sel, digests }
}
