/**
 * Measured boot for `npm run demo` (docs/measured-boot.md): swtpm has no firmware, so each demo
 * device "boots" a real recorded UEFI event log (RHEL 8 on GCE, test/vectors/eventlog) into its
 * TPM's PCRs 0-7 and keeps the log where its agent reads it, and the collector's policy judges
 * that log (Secure Boot on, the log's boot loader and kernel allowed by digest).
 */
import { copyFileSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { extendEventLog } from '../agent/eventlog/extend-log.ts'
import { startup } from '../agent/tpm/commands/startup.ts'
import { Tpm } from '../agent/tpm/tpm.ts'
import { bootState } from '../attest/eventlog/boot-state.ts'
import { parseEventLog } from '../attest/eventlog/parse-event-log.ts'

const LOG = path.resolve(import.meta.dirname, '../test/vectors/eventlog/gce-rhel8.eventlog')

/** Extend the demo log into the TPM; returns the path the agent reads the log from. */
export async function bootDemoTpm(tpmSpec: string, dir: string): Promise<string> {
  const tpm = await Tpm.open(tpmSpec)
  try {
    await startup(tpm)
    await extendEventLog(tpm, new Uint8Array(readFileSync(LOG)))
  } finally {
    await tpm.close()
  }
  const file = path.join(dir, 'binary_bios_measurements')
  copyFileSync(LOG, file)
  return file
}

/** The current policy with an `eventLog` section allowing the demo log's boot chain. */
export function withDemoEventLogPolicy(policy: Record<string, unknown>): Record<string, unknown> {
  const s = bootState(parseEventLog(new Uint8Array(readFileSync(LOG))))
  const apps = s.bootApps.map((a) => a.digests.sha256!)
  return {
    ...policy,
    eventLog: {
      pcrs: [0, 1, 2, 3, 4, 5, 6, 7],
      requireSecureBoot: true,
      bootApps: { allow: apps },
    },
  }
}
