/**
 * The agent's side of measured boot (docs/measured-boot.md): read the firmware's UEFI event log
 * and decide when to send it. The collector remembers the last log it accepted by the boot PCR
 * values it replays to, so the agent sends the log with its activation and then only when the
 * quoted boot PCRs (0-7) differ from those of its last accepted request. That memory is
 * `<stateDir>/boot-pcrs.json`; a collector answer ERR_EVENTLOG_REQUIRED clears it, so the next
 * attempt carries the log again.
 */
import { readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { toB64url } from '../../attest/bytes/encoding.ts'
import { AegisError } from '../../attest/errors.ts'
import { writeFileAtomic } from '../state/agent-state.ts'

export const DEFAULT_EVENT_LOG = '/sys/kernel/security/tpm0/binary_bios_measurements'
const BOOT_PCRS = ['0', '1', '2', '3', '4', '5', '6', '7']

/** The log's bytes, or undefined when the file does not exist (no TPM event log on this host). */
export async function readEventLog(file: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(file))
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new AegisError('ERR_IO', `cannot read the event log ${file}`, { cause: e })
  }
}

/** A stable text of the quoted boot PCRs (every bank), the agent's memory key. */
export function bootPcrsKey(pcrs: Record<string, Record<string, string>>): string {
  return Object.keys(pcrs)
    .sort()
    .map((bank) => `${bank}:` + BOOT_PCRS.map((i) => pcrs[bank]![i] ?? '').join(','))
    .join(';')
}

const memoryFile = (stateDir: string) => path.join(stateDir, 'boot-pcrs.json')

async function remembered(stateDir: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(memoryFile(stateDir), 'utf8')) as { key: string }).key
  } catch {
    return undefined // absent or unreadable: send the log, the collector decides
  }
}

/** The request with `eventLog` attached when the boot PCRs changed since the last accepted one. */
export async function withEventLog<
  R extends { quote: { pcrs: Record<string, Record<string, string>> } },
>(stateDir: string, eventLogPath: string | undefined, req: R): Promise<R & { eventLog?: string }> {
  if (!eventLogPath) return req
  if ((await remembered(stateDir)) === bootPcrsKey(req.quote.pcrs)) return req
  const log = await readEventLog(eventLogPath)
  return log ? { ...req, eventLog: toB64url(log) } : req
}

/** After the collector accepted a request: its boot PCRs are now known to the collector. */
export async function noteBootAccepted(
  stateDir: string,
  pcrs: Record<string, Record<string, string>>,
): Promise<void> {
  await writeFileAtomic(memoryFile(stateDir), JSON.stringify({ key: bootPcrsKey(pcrs) }))
}

/** The collector asked for the log (it lost or never had it): send it with the next request. */
export async function forgetBootAccepted(stateDir: string): Promise<void> {
  await rm(memoryFile(stateDir), { force: true })
}
