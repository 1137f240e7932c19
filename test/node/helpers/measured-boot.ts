/**
 * Booting swtpm "from firmware" for the measured-boot tests: two real recorded UEFI event logs
 * (test/vectors/eventlog, sources there), the boot applications a policy would allow for each, and
 * a boot that extends a log's events into a fresh TPM and leaves the log where the agent reads it.
 */
import { copyFileSync, readFileSync } from 'node:fs'
import { extendEventLog } from '../../../agent/eventlog/extend-log.ts'
import { ensureSensorMeasured } from '../../../agent/sensor/sensor-pcr.ts'
import { startup } from '../../../agent/tpm/commands/startup.ts'
import { Tpm } from '../../../agent/tpm/tpm.ts'
import { bootState } from '../../../attest/eventlog/boot-state.ts'
import { parseEventLog } from '../../../attest/eventlog/parse-event-log.ts'

const vec = (f: string) => new URL(`../../vectors/eventlog/${f}`, import.meta.url).pathname
/** RHEL 8 on GCE, and a second boot chain (COS 85 on GCE, AMD SEV) for "an update". */
export const RHEL8 = vec('gce-rhel8.eventlog')
export const COS85 = vec('gce-cos85-amd-sev.eventlog')

/** SHA-256 digests of a log's boot applications (what an event-log policy allows). */
export const bootApps = (file: string): string[] =>
  bootState(parseEventLog(new Uint8Array(readFileSync(file)))).bootApps.map(
    (a) => a.digests.sha256!,
  )

/**
 * TPM2_Startup, extend every event of `log` into the TPM's PCRs, re-measure the location sensor
 * when given (a reboot resets its PCR), and copy the log to `biosLog` for the agent.
 * Returns whether the PCRs already held the log (extendEventLog's `already`).
 */
export async function bootFromLog(
  agentTpm: string,
  log: string,
  biosLog: string,
  sensor?: { id: string; firmware: string; pcr: number },
): Promise<boolean> {
  const tpm = await Tpm.open(agentTpm)
  let already: boolean
  try {
    await startup(tpm)
    already = (await extendEventLog(tpm, new Uint8Array(readFileSync(log)))).already
    if (sensor) await ensureSensorMeasured(tpm, sensor, sensor.pcr)
  } finally {
    await tpm.close()
  }
  copyFileSync(log, biosLog)
  return already
}
