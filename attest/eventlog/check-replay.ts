/**
 * The log must replay to the quoted PCR values: the quote's pcrDigest binds those values, so a log
 * that replays to them is the log of this boot. Compared over the PCRs the policy governs, in
 * every quoted bank the log carries; a governed PCR the log never extends must still be at its
 * reset value. The first difference is ERR_EVENTLOG_REPLAY naming bank and PCR.
 */
import { bytesEqual, toHex } from '../bytes/encoding.ts'
import { digestLength } from '../crypto/hash.ts'
import { AegisError } from '../errors.ts'
import type { HashAlg, PcrValues } from '../tpm/types.ts'
import type { EventLog, ReplayedPcrs } from './types.ts'

export function checkReplay(
  log: EventLog,
  replayed: ReplayedPcrs,
  quoted: PcrValues,
  pcrs: number[],
): void {
  const banks = (Object.keys(quoted) as HashAlg[]).filter((b) => replayed[b])
  if (banks.length === 0) {
    throw new AegisError(
      'ERR_EVENTLOG_REPLAY',
      `the log carries none of the quoted banks (${Object.keys(quoted).join(', ')})`,
      {
        detail: { banks: Object.keys(quoted) },
      },
    )
  }
  for (const bank of banks) {
    for (const pcr of pcrs) {
      const q = quoted[bank]?.[pcr]
      if (!q) continue
      const r = replayed[bank]![pcr] ?? resetValue(log, bank, pcr)
      if (!bytesEqual(q, r)) {
        throw new AegisError(
          'ERR_EVENTLOG_REPLAY',
          `the event log does not replay to the quoted ${bank} PCR ${pcr}`,
          {
            detail: { bank, pcr, replayed: toHex(r), quoted: toHex(q) },
          },
        )
      }
    }
  }
}

function resetValue(log: EventLog, bank: HashAlg, pcr: number): Uint8Array {
  const v = new Uint8Array(digestLength(bank))
  if (pcr === 0 && log.startupLocality !== undefined) v[v.length - 1] = log.startupLocality
  return v
}
