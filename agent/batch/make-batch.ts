/**
 * Build one quoted batch (DESIGN.md "Batch ingest" steps 2-3): payload bytes, qualifyingData =
 * SHA-256(nonce || SHA-256(payload)), TPM2_Quote over the enrolled selection, the PCR values.
 * The payload bytes are sent exactly as quoted.
 */
import { fromB64url, toB64url, utf8 } from '../../attest/bytes/encoding.ts'
import { batchQualifyingData } from '../../attest/binding/qualifying-data.ts'
import type { BatchPayload } from '../../attest/ingest/batch-payload.ts'
import { pcrsToHex } from '../../attest/policy/check-pcr-policy.ts'
import type { AgentState } from '../state/agent-state.ts'
import { quote, readPcrs } from '../tpm/quote.ts'
import type { Tpm } from '../tpm/tpm.ts'

export interface BatchRequest {
  payload: string
  nonce: string
  quote: { attest: string; signature: string; pcrs: Record<string, Record<string, string>> }
}

export function encodePayload(p: BatchPayload): Uint8Array {
  return utf8(JSON.stringify(p))
}

export async function quoteBatch(
  tpm: Tpm,
  state: AgentState,
  payload: Uint8Array,
  nonceB64: string,
): Promise<BatchRequest> {
  const nonce = fromB64url(nonceB64)
  // Read PCRs, quote, read again: a PCR extended in between would make the digest mismatch, so
  // retry until both reads agree (extends are rare: once per boot for the sensor).
  for (let attempt = 0; ; attempt++) {
    const before = pcrsToHex(await readPcrs(tpm, state.quoteSelection))
    const q = await quote(
      tpm,
      state.ak.handle,
      batchQualifyingData(nonce, payload),
      state.quoteSelection,
    )
    const after = pcrsToHex(await readPcrs(tpm, state.quoteSelection))
    if (JSON.stringify(before) === JSON.stringify(after) || attempt >= 3) {
      return {
        payload: toB64url(payload),
        nonce: nonceB64,
        quote: { attest: toB64url(q.attest), signature: toB64url(q.signature), pcrs: after },
      }
    }
  }
}
