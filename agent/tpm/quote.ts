/**
 * Evidence for a batch: a TPM2_Quote by the AK, the PCR values it covers, and the one PCR write
 * the agent makes (the location sensor's identity into the sha256 bank).
 *   quote      TPMS_ATTEST bytes (as signed) and TPMT_SIGNATURE bytes in the AK's own scheme.
 *   readPcrs   TPM2_PCR_Read in a loop: a TPM answers at most 8 digests per call and may answer
 *              fewer, so the PCRs it did answer are dropped from the request and the rest asked
 *              again. If pcrUpdateCounter moves between calls (some PCR was extended meanwhile),
 *              the read starts over, so all values come from one PCR state.
 *   extendPcr  TPM2_PCR_Extend of one SHA-256 digest.
 * TPM 2.0 Part 3 §18.4 (Quote), §22.4 (PCR_Read), §22.2 (PCR_Extend).
 * Leaves out checking the quote (the collector does) and banks other than those asked for.
 */
import { AegisError } from '../../attest/errors.ts'
import { digestLength } from '../../attest/crypto/hash.ts'
import type { HashAlg, PcrSelection, PcrValues } from '../../attest/tpm/types.ts'
import type { Tpm } from './tpm.ts'

export async function quote(
  tpm: Tpm,
  akHandle: number,
  qualifyingData: Uint8Array,
  selection: PcrSelection[],
): Promise<{ attest: Uint8Array; signature: Uint8Array }> {
  return tpm.quote({ signHandle: akHandle, qualifyingData, selection })
}

/** Start-overs allowed when PCRs keep changing under the read. */
const MAX_RESTARTS = 5

export async function readPcrs(tpm: Tpm, selection: PcrSelection[]): Promise<PcrValues> {
  for (let attempt = 0; attempt <= MAX_RESTARTS; attempt++) {
    const values = await readOnce(tpm, selection)
    if (values) return values
  }
  throw new AegisError('ERR_TPM_RESPONSE', 'PCRs kept changing while being read', {
    detail: { command: 'PCR_Read', meaning: 'pcrUpdateCounter changed on every attempt' },
  })
}

/** One consistent pass, or undefined when the PCR state changed part-way. */
async function readOnce(tpm: Tpm, selection: PcrSelection[]): Promise<PcrValues | undefined> {
  const want = new Map<HashAlg, Set<number>>()
  for (const s of selection) {
    const set = want.get(s.hashAlg) ?? new Set<number>()
    for (const p of s.pcrs) set.add(p)
    want.set(s.hashAlg, set)
  }
  const out: PcrValues = {}
  let counter: number | undefined
  for (;;) {
    const request: PcrSelection[] = []
    for (const [hashAlg, set] of want) {
      if (set.size > 0) request.push({ hashAlg, pcrs: [...set].sort((a, b) => a - b) })
    }
    if (request.length === 0) return out
    const got = await tpm.pcrRead(request)
    if (counter !== undefined && got.updateCounter !== counter) return undefined
    counter = got.updateCounter
    let i = 0
    for (const s of got.selection) {
      const asked = want.get(s.hashAlg)
      for (const p of s.pcrs) {
        const d = got.digests[i++]
        if (!asked?.has(p) || !d || d.length !== digestLength(s.hashAlg)) {
          throw new AegisError(
            'ERR_TPM_MALFORMED',
            'PCR_Read answered a PCR or digest not asked for',
          )
        }
        asked.delete(p)
        ;(out[s.hashAlg] ??= {})[p] = d
      }
    }
    if (i !== got.digests.length) {
      throw new AegisError(
        'ERR_TPM_MALFORMED',
        'PCR_Read: digest count does not match its selection',
      )
    }
    if (i === 0) {
      // The TPM answers nothing for PCRs it does not have (an unallocated bank, an index >= 24).
      const missing = request.map((r) => `${r.hashAlg}:${r.pcrs.join(',')}`).join(' ')
      throw new AegisError('ERR_CONFIG', `the TPM has no PCRs ${missing}`, { detail: { missing } })
    }
  }
}

/** PCR[index] (sha256 bank) := SHA-256(PCR[index] || digest); digest is 32 bytes. */
export async function extendPcr(tpm: Tpm, index: number, digest: Uint8Array): Promise<void> {
  await tpm.pcrExtend(index, [{ hashAlg: 'sha256', digest }])
}
