/**
 * What changed between two boots: the events of an accepted log and a refused (or newer) one,
 * compared per PCR in measurement order. Events at the same position of a PCR's sequence with the
 * same type and digest are unchanged; anything else is reported with both sides, so an operator
 * sees "PCR 4 event 26: boot application e8a2… -> 5c1f…" instead of two PCR values.
 */
import { toHex } from '../bytes/encoding.ts'
import { decodeEvent } from './decode-event.ts'
import { EV } from './event-types.ts'
import type { EventLog, LogEvent } from './types.ts'

export interface EventSide {
  index: number
  type: string
  digest: string
  summary: string
}

export interface EventChange {
  pcr: number
  before: EventSide | null
  after: EventSide | null
}

export function diffEvents(before: EventLog, after: EventLog, pcrs: number[]): EventChange[] {
  const bank = before.banks.find((b) => after.banks.includes(b))
  const out: EventChange[] = []
  for (const pcr of pcrs) {
    const a = measured(before, pcr)
    const b = measured(after, pcr)
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const x = a[i] ? side(a[i]!, bank) : null
      const y = b[i] ? side(b[i]!, bank) : null
      if (x && y && x.type === y.type && x.digest === y.digest) continue
      out.push({ pcr, before: x, after: y })
    }
  }
  return out
}

function measured(log: EventLog, pcr: number): LogEvent[] {
  return log.events.filter((e) => e.pcr === pcr && e.type !== EV.NO_ACTION)
}

function side(e: LogEvent, bank: string | undefined): EventSide {
  const d = bank ? e.digests[bank as 'sha256'] : undefined
  return { index: e.index, type: e.typeName, digest: d ? toHex(d) : '', summary: summary(e) }
}

function summary(e: LogEvent): string {
  try {
    const d = decodeEvent(e)
    if (d.kind === 'variable')
      return d.secureBoot === undefined ? d.name : `${d.name} = ${d.secureBoot ? 'on' : 'off'}`
    if (d.kind === 'text') return d.text.slice(0, 120)
    if (d.kind === 'image') return `image of ${d.length} bytes`
    if (d.kind === 'separator') return `separator ${d.value}`
    return ''
  } catch {
    return 'malformed event data'
  }
}
