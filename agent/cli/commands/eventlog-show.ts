/**
 * `aegis eventlog show FILE [--json]`: lists every event of a UEFI event log as attest/eventlog
 * decodes it: index, PCR, type, digests and the decoded content (UEFI variables with their
 * signature lists, image loads, firmware and boot-loader strings, separators). Exit 0 parsed,
 * 1 malformed log, 2 usage or unreadable file. An event whose own data is malformed is listed with
 * its error code rather than failing the whole listing.
 */
import { toHex } from '../../../attest/bytes/encoding.ts'
import { decodeEvent, type DecodedEvent } from '../../../attest/eventlog/decode-event.ts'
import { parseEventLog } from '../../../attest/eventlog/parse-event-log.ts'
import type { LogEvent } from '../../../attest/eventlog/types.ts'
import { AegisError } from '../../../attest/errors.ts'
import { runOffline, type Command } from '../io.ts'
import { readLogArgs } from './eventlog-read.ts'

export const help = `usage: aegis eventlog show FILE [--json]

Lists the events of a UEFI measured-boot event log (binary_bios_measurements): index, PCR, type,
digests and the decoded content (Secure Boot variables and their signature lists, boot
applications, firmware version, boot loader command lines). Exit 0 parsed, 1 malformed log,
2 usage error or unreadable file.

options:
  --json    print one JSON object: {"ok":true,"format":"crypto-agile"|"sha1","events":[{index,pcr,type,digests,decoded}]}

example:
  aegis eventlog show binary_bios_measurements | less
`

interface ShownEvent {
  index: number
  pcr: number
  type: string
  digests: Record<string, string>
  decoded: Record<string, unknown>
}

export const run: Command = (argv, io) =>
  runOffline(argv, io, 'eventlog show', {
    read: readLogArgs,
    judge: (input) => {
      const log = parseEventLog(input.bytes)
      return { ok: true, format: log.format, events: log.events.map(shown) }
    },
    text: (r) => `format ${r.format}, ${r.events.length} events\n` + r.events.map(line).join(''),
  })

function shown(ev: LogEvent): ShownEvent {
  const digests: Record<string, string> = {}
  for (const [alg, d] of Object.entries(ev.digests)) digests[alg] = toHex(d)
  let decoded: Record<string, unknown>
  try {
    decoded = view(decodeEvent(ev))
  } catch (e) {
    decoded = { error: e instanceof AegisError ? e.code : 'ERR_INTERNAL' }
  }
  return { index: ev.index, pcr: ev.pcr, type: ev.typeName, digests, decoded }
}

function view(d: DecodedEvent): Record<string, unknown> {
  switch (d.kind) {
    case 'variable': {
      const v: Record<string, unknown> = { variable: d.name, guid: d.guid, bytes: d.data.length }
      if (d.secureBoot !== undefined) v.secureBoot = d.secureBoot
      if (d.lists)
        v.signatures = d.lists.flatMap((l) =>
          l.signatures.map((s) => ({ type: s.type, ref: s.ref, owner: s.owner })),
        )
      return v
    }
    case 'image':
      return {
        image: { location: d.location, length: d.length, devicePathBytes: d.devicePath.length },
      }
    case 'text':
      return { text: d.text }
    case 'separator':
      return { separator: d.value }
    case 'opaque':
      return {}
  }
}

function describe(x: Record<string, unknown>): string {
  if (x.variable !== undefined) {
    const sb = x.secureBoot === undefined ? '' : ` = ${x.secureBoot ? 'on' : 'off'}`
    const sigs = Array.isArray(x.signatures) ? ` (${x.signatures.length} signatures)` : ''
    return `${String(x.variable)}${sb}${sigs}`
  }
  if (x.text !== undefined) return JSON.stringify(x.text)
  if (x.image !== undefined) return `image of ${(x.image as { length: number }).length} bytes`
  if (x.separator !== undefined) return `separator ${String(x.separator)}`
  if (x.error !== undefined) return `malformed: ${String(x.error)}`
  return ''
}

function line(e: ShownEvent): string {
  const d = (e.digests.sha256 ?? Object.values(e.digests)[0] ?? '').slice(0, 16)
  const where = `${String(e.index).padStart(4)}  PCR ${String(e.pcr).padStart(2)}`
  return `${where}  ${e.type.padEnd(34)} ${d}  ${describe(e.decoded)}\n`
}
