/**
 * PCR policy (DESIGN.md "Batch ingest" step 4): the quoted values, already proven by the quote's
 * pcrDigest, must match what the operator allows. The sensor PCR is checked first and on its own,
 * so a swapped location sensor is reported as ERR_GEO_SENSOR rather than a generic boot-state
 * change. Then each selected PCR: in 'golden' mode a PCR with a golden list must take one of its
 * values; every other PCR must equal the baseline pinned at activation (when there is one yet).
 */
import { bytesEqual, toHex } from '../bytes/encoding.ts'
import { AegisError } from '../errors.ts'
import type { HashAlg, PcrValues } from '../tpm/types.ts'

export interface PcrPolicyInput {
  quoted: PcrValues
  /** {"sha256": {"0": hex, ...}}; empty at activation, when the baseline is being pinned. */
  baseline: Record<string, Record<string, string>>
  mode: 'baseline' | 'golden'
  /** PCR index (sha256 bank) -> allowed hex values. */
  golden: Record<string, string[]>
  sensorPcr: number
  expectedSensorPcr: Uint8Array
}

export function checkPcrPolicy(p: PcrPolicyInput): void {
  const sensor = p.quoted.sha256?.[p.sensorPcr]
  if (!sensor) {
    throw new AegisError('ERR_PCR_SELECTION', `the quote does not cover sensor PCR ${p.sensorPcr}`)
  }
  if (!bytesEqual(sensor, p.expectedSensorPcr)) {
    throw new AegisError(
      'ERR_GEO_SENSOR',
      'the sensor PCR does not match the enrolled location sensor',
      {
        detail: { pcr: p.sensorPcr },
      },
    )
  }
  for (const [bank, values] of Object.entries(p.quoted) as [
    HashAlg,
    Record<number, Uint8Array>,
  ][]) {
    for (const [idx, v] of Object.entries(values)) {
      if (Number(idx) === p.sensorPcr && bank === 'sha256') continue
      const hex = toHex(v)
      const golden = bank === 'sha256' && p.mode === 'golden' ? p.golden[idx] : undefined
      const pinned = p.baseline[bank]?.[idx]
      if (golden ? !golden.includes(hex) : pinned !== undefined && pinned !== hex) {
        throw new AegisError('ERR_PCR_POLICY', `PCR ${bank}:${idx} is outside the policy`, {
          detail: { bank, pcr: Number(idx), value: hex },
        })
      }
    }
  }
}

/** {"sha256": {"0": hex}} from parsed PCR values: the stored and wire form. */
export function pcrsToHex(v: PcrValues): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {}
  for (const [bank, values] of Object.entries(v) as [HashAlg, Record<number, Uint8Array>][]) {
    out[bank] = {}
    for (const [i, d] of Object.entries(values)) out[bank]![i] = toHex(d)
  }
  return out
}
