/**
 * Replays a parsed event log into every bank it carries (TPM 2.0 Part 1 §17.2 PCR extend:
 * PCR := H(PCR || digest)). PCRs start at zero, except PCR 0 which starts at the locality of the
 * StartupLocality event (PFP §10.4.5.3: 0…03 for a locality-3 start). EV_NO_ACTION is never
 * extended. Only PCRs that receive at least one event appear, as in tpm2_eventlog's output.
 */
import { concat } from '../bytes/encoding.ts'
import { digest, digestLength } from '../crypto/hash.ts'
import { EV } from './event-types.ts'
import type { HashAlg } from '../tpm/types.ts'
import type { EventLog, ReplayedPcrs } from './types.ts'

/** `banks`: replay only these (those a quote covers); default every bank of the log. */
export function replayEventLog(log: EventLog, banks: readonly HashAlg[] = log.banks): ReplayedPcrs {
  const out: ReplayedPcrs = {}
  for (const bank of log.banks.filter((b) => banks.includes(b))) {
    const pcrs: Record<number, Uint8Array> = {}
    for (const ev of log.events) {
      if (ev.type === EV.NO_ACTION) continue
      const d = ev.digests[bank]
      if (!d) continue
      pcrs[ev.pcr] = digest(bank, concat(pcrs[ev.pcr] ?? initial(log, bank, ev.pcr), d))
    }
    out[bank] = pcrs
  }
  return out
}

function initial(log: EventLog, bank: Parameters<typeof digestLength>[0], pcr: number): Uint8Array {
  const v = new Uint8Array(digestLength(bank))
  if (pcr === 0 && log.startupLocality !== undefined) v[v.length - 1] = log.startupLocality
  return v
}
