/**
 * Measured boot at the collector, one batch whose boot PCRs changed: parse a real crypto-agile
 * UEFI event log (GCE Ubuntu 21.04, 112 events, sha1/sha256/sha384 banks), replay it into every
 * bank, check the replay against the quoted sha256 PCRs 0-7, summarise the boot state and evaluate
 * an event-log policy (Secure Boot off is allowed here so the whole policy runs; boot apps and the
 * kernel allowed by digest). Leaves out the D1 read and write of the remembered log.
 */
import type { BenchCase } from '../types.ts'
import log from '../../test/vectors/eventlog/gce-ubuntu2104-no-dbx.eventlog?bytes'
import { bootState } from '../../attest/eventlog/boot-state.ts'
import { checkReplay } from '../../attest/eventlog/check-replay.ts'
import { evaluateEventLogPolicy } from '../../attest/eventlog/evaluate-policy.ts'
import { parseEventLog } from '../../attest/eventlog/parse-event-log.ts'
import type { EventLogPolicy } from '../../attest/eventlog/policy.ts'
import { replayEventLog } from '../../attest/eventlog/replay.ts'
import type { PcrValues } from '../../attest/tpm/types.ts'

interface Ctx {
  quoted: PcrValues
  policy: EventLogPolicy
}

const PCRS = [0, 1, 2, 3, 4, 5, 6, 7]

export const cases: BenchCase[] = [
  {
    name: 'eventlog.replay',
    iterations: 300,
    warmup: 20,
    setup: (): Ctx => {
      const parsed = parseEventLog(log)
      const r = replayEventLog(parsed).sha256!
      const s = bootState(parsed)
      const apps = s.bootApps.map((a) => a.digests.sha256!)
      return {
        quoted: { sha256: Object.fromEntries(PCRS.map((i) => [i, r[i]!])) },
        policy: {
          pcrs: PCRS,
          requireSecureBoot: false,
          bootApps: { allow: apps },
          kernels: { allow: apps.slice(-1) },
          minFirmwareVersions: ['GCE Virtual Firmware v1'],
        },
      }
    },
    run: (c: Ctx) => {
      // As worker/bootlog/judge-boot.ts does: replay and bind data only in the quoted bank.
      const parsed = parseEventLog(log)
      checkReplay(parsed, replayEventLog(parsed, ['sha256']), c.quoted, c.policy.pcrs)
      const findings = evaluateEventLogPolicy(bootState(parsed, ['sha256']), c.policy)
      // A case must return something truthy; a finding here would mean the case judges nothing.
      return findings.length === 0 && parsed.events.length
    },
  } as BenchCase<Ctx>,
  // Each case is typed by its own context; the list erases it, as bench/run.mjs treats them alike.
] as BenchCase[]
