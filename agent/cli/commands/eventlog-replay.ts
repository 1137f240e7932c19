/**
 * `aegis eventlog replay FILE [--json]`: parses a UEFI event log (TCG PC Client PFP, SHA-1 or
 * crypto-agile) with attest/eventlog, replays it into every bank it carries and prints the PCR
 * values (banks in the log's order, PCRs ascending, as tpm2_eventlog prints them), the Secure Boot
 * state and the event count. Exit 0 parsed, 1 malformed log, 2 usage or unreadable file.
 */
import { toHex } from '../../../attest/bytes/encoding.ts'
import { bootState } from '../../../attest/eventlog/boot-state.ts'
import { parseEventLog } from '../../../attest/eventlog/parse-event-log.ts'
import { replayEventLog } from '../../../attest/eventlog/replay.ts'
import { runOffline, type Command } from '../io.ts'
import { readLogArgs } from './eventlog-read.ts'

export const help = `usage: aegis eventlog replay FILE [--json]

Replays a UEFI measured-boot event log (binary_bios_measurements, SHA-1 or crypto-agile format)
into every PCR bank it carries and prints the resulting PCR values, the Secure Boot state and the
number of events. Exit 0 replayed, 1 malformed log, 2 usage error or unreadable file.

options:
  --json    print one JSON object: {"ok":true,"events":N,"secureBoot":true|false|null,"pcrs":{"sha256":{"0":"<hex>",...}}}

example:
  aegis eventlog replay /sys/kernel/security/tpm0/binary_bios_measurements --json
`

interface Report {
  ok: true
  events: number
  secureBoot: boolean | null
  pcrs: Record<string, Record<string, string>>
}

export const run: Command = (argv, io) =>
  runOffline(argv, io, 'eventlog replay', { read: readLogArgs, judge: replay, text })

function replay(input: ReturnType<typeof readLogArgs>): Report {
  const log = parseEventLog(input.bytes)
  const replayed = replayEventLog(log)
  const pcrs: Report['pcrs'] = {}
  for (const bank of log.banks) {
    const values = replayed[bank] ?? {}
    const ordered = Object.keys(values)
      .map(Number)
      .sort((a, b) => a - b)
    pcrs[bank] = Object.fromEntries(ordered.map((i) => [String(i), toHex(values[i]!)]))
  }
  return { ok: true, events: log.events.length, secureBoot: bootState(log).secureBoot, pcrs }
}

function text(r: Report): string {
  const sb = r.secureBoot === null ? 'not measured' : r.secureBoot ? 'on' : 'off'
  const lines = [`events      ${r.events}`, `secureBoot  ${sb}`, 'pcrs:']
  for (const [bank, values] of Object.entries(r.pcrs)) {
    lines.push(`  ${bank}:`)
    for (const [i, v] of Object.entries(values)) lines.push(`    ${i.padEnd(2)} : 0x${v}`)
  }
  return lines.join('\n') + '\n'
}
