/**
 * Strict parser of the TCG PC Client Platform Firmware Profile event log as Linux exposes it in
 * /sys/kernel/security/tpm0/binary_bios_measurements (PFP v1.05 §10.2):
 *  - SHA-1 format: TCG_PCR_EVENT records (pcrIndex, eventType, SHA-1 digest, eventSize, event);
 *  - crypto-agile format: a first TCG_PCR_EVENT of type EV_NO_ACTION carrying "Spec ID Event03"
 *    (§10.4.5.1), then TCG_PCR_EVENT2 records whose TPML_DIGEST_VALUES list exactly the declared
 *    algorithms, in order.
 * EV_NO_ACTION events are not extended; the StartupLocality one (§10.4.5.3) sets PCR 0's start.
 * Bounded: at most `maxBytes` of input and `maxEvents` events; every length is checked against the
 * bytes left before use and event data is a subarray, so a hostile log cannot make it allocate or
 * loop beyond its own size. Each malformation has its own ERR_EVENTLOG_* code and names the event.
 * Typed decoding of event data is decode-event.ts; replay is replay.ts.
 */
import { AegisError } from '../errors.ts'
import { hashAlgFromTpm, digestLength } from '../crypto/hash.ts'
import type { HashAlg } from '../tpm/types.ts'
import { EV, eventTypeName } from './event-types.ts'
import { ByteReader } from '../bytes/reader.ts'
import type { DeclaredAlgorithm, EventLog, LogEvent, SpecIdEvent } from './types.ts'

export const EVENTLOG_LIMITS = { maxBytes: 1 << 20, maxEvents: 4096, maxAlgorithms: 8 }

const SPEC_ID_SIGNATURE = 'Spec ID Event03\0'
const STARTUP_LOCALITY_SIGNATURE = 'StartupLocality\0'
/** Highest PCR a PC Client firmware measures into (PFP §3.3.4: PCRs 0-23). */
const MAX_PCR = 23
/** The log is little-endian (PFP §10.2); reading past its end means it was cut short. */
const LE_LOG = { code: 'ERR_EVENTLOG_TRUNCATED', littleEndian: true } as const

export interface ParseOptions {
  maxBytes?: number
  maxEvents?: number
}

export function parseEventLog(bytes: Uint8Array, options: ParseOptions = {}): EventLog {
  const maxBytes = options.maxBytes ?? EVENTLOG_LIMITS.maxBytes
  const maxEvents = options.maxEvents ?? EVENTLOG_LIMITS.maxEvents
  if (bytes.length === 0) throw new AegisError('ERR_EVENTLOG_EMPTY', 'the event log is empty')
  if (bytes.length > maxBytes) {
    throw new AegisError(
      'ERR_EVENTLOG_TOO_LARGE',
      `the event log has ${bytes.length} bytes, limit ${maxBytes}`,
      {
        detail: { bytes: bytes.length, limit: maxBytes },
      },
    )
  }
  const r = new ByteReader(bytes, 'event log', LE_LOG)
  const first = readSha1Event(r, 0)
  const specId = isSpecId03(first) ? parseSpecId(first) : undefined
  const log: EventLog = {
    format: specId ? 'crypto-agile' : 'sha1',
    specId,
    startupLocality: undefined,
    banks: specId ? specId.algorithms.flatMap((a) => (a.hash ? [a.hash] : [])) : ['sha1'],
    events: [first],
  }
  // A SHA-1 log's first event is an ordinary one: an EV_NO_ACTION there is checked like any other.
  if (!specId && first.type === EV.NO_ACTION) noAction(log, first)
  while (r.remaining > 0) {
    const index = log.events.length
    if (index >= maxEvents) {
      throw new AegisError(
        'ERR_EVENTLOG_TOO_LARGE',
        `the event log has more than ${maxEvents} events`,
        {
          detail: { limit: maxEvents },
        },
      )
    }
    const ev = specId ? readAgileEvent(r, index, specId.algorithms) : readSha1Event(r, index)
    if (ev.type === EV.NO_ACTION) noAction(log, ev)
    log.events.push(ev)
  }
  return log
}

function readHeader(r: ByteReader, index: number): { pcr: number; type: number } {
  const pcr = r.u32()
  const type = r.u32()
  if (pcr > MAX_PCR && type !== EV.NO_ACTION) {
    throw new AegisError(
      'ERR_EVENTLOG_PCR_INDEX',
      `event ${index}: PCR index ${pcr} is out of range`,
      {
        detail: { index, eventType: eventTypeName(type), pcr },
      },
    )
  }
  return { pcr, type }
}

function readSha1Event(r: ByteReader, index: number): LogEvent {
  const h = readHeader(r, index)
  const digest = r.bytes(20)
  const data = r.bytes(r.u32())
  return { index, ...h, typeName: eventTypeName(h.type), digests: { sha1: digest }, data }
}

function readAgileEvent(r: ByteReader, index: number, algs: DeclaredAlgorithm[]): LogEvent {
  const h = readHeader(r, index)
  const count = r.u32()
  const where = { index, type: eventTypeName(h.type), pcr: h.pcr }
  if (count !== algs.length) {
    throw new AegisError(
      'ERR_EVENTLOG_DIGEST_ALGS',
      `event ${index}: ${count} digests, the Spec ID event declares ${algs.length}`,
      {
        detail: where,
      },
    )
  }
  const digests: Partial<Record<HashAlg, Uint8Array>> = {}
  for (const a of algs) {
    const algId = r.u16()
    if (algId !== a.algId) {
      throw new AegisError(
        'ERR_EVENTLOG_DIGEST_ALGS',
        `event ${index}: digest algorithm 0x${algId.toString(16)} where the Spec ID event declares 0x${a.algId.toString(16)}`,
        {
          detail: { ...where, algId },
        },
      )
    }
    const d = r.bytes(a.digestSize)
    if (a.hash) digests[a.hash] = d
  }
  const data = r.bytes(r.u32())
  return { index, ...h, typeName: where.type, digests, data }
}

function specIdError(message: string): AegisError {
  return new AegisError('ERR_EVENTLOG_SPEC_ID', `Spec ID event: ${message}`, {
    detail: { index: 0, eventType: 'EV_NO_ACTION', pcr: 0 },
  })
}

/**
 * A crypto-agile log starts with an EV_NO_ACTION whose data begins "Spec ID Event03"; a TPM 1.2
 * style "Spec ID Event00"/"02" (or anything else) leaves the log in the SHA-1 format.
 */
function isSpecId03(ev: LogEvent): boolean {
  return (
    ev.type === EV.NO_ACTION &&
    ev.data.length >= 16 &&
    ascii(ev.data.subarray(0, 16)) === SPEC_ID_SIGNATURE
  )
}

/** TCG_EfiSpecIdEvent (PFP §10.4.5.1), strictly: every field in range, no trailing bytes. */
function parseSpecId(ev: LogEvent): SpecIdEvent {
  if (ev.pcr !== 0 || ev.digests.sha1!.some((b) => b !== 0))
    throw specIdError('PCR index and digest must be zero')
  const r = new ByteReader(ev.data, 'Spec ID event', {
    code: 'ERR_EVENTLOG_SPEC_ID',
    littleEndian: true,
  })
  r.bytes(16) // the signature isSpecId03 matched
  const platformClass = r.u32()
  const minor = r.u8()
  const major = r.u8()
  const errata = r.u8()
  const uintnSize = r.u8()
  if (major !== 2) throw specIdError(`spec version ${major}.${minor} is not 2.x`)
  if (uintnSize !== 1 && uintnSize !== 2) throw specIdError(`uintnSize ${uintnSize} is not 1 or 2`)
  const n = r.u32()
  if (n === 0 || n > EVENTLOG_LIMITS.maxAlgorithms) throw specIdError(`${n} algorithms declared`)
  const algorithms: DeclaredAlgorithm[] = []
  for (let i = 0; i < n; i++) algorithms.push(declaredAlgorithm(r.u16(), r.u16(), algorithms))
  r.bytes(r.u8()) // vendorInfo: opaque
  if (r.remaining !== 0) throw specIdError(`${r.remaining} trailing bytes`)
  return { platformClass, specVersion: `${major}.${minor}.${errata}`, uintnSize, algorithms }
}

function declaredAlgorithm(
  algId: number,
  digestSize: number,
  seen: DeclaredAlgorithm[],
): DeclaredAlgorithm {
  if (seen.some((a) => a.algId === algId))
    throw specIdError(`algorithm 0x${algId.toString(16)} declared twice`)
  if (digestSize === 0 || digestSize > 64)
    throw specIdError(`digest size ${digestSize} for 0x${algId.toString(16)}`)
  let hash: HashAlg | undefined
  try {
    hash = hashAlgFromTpm(algId)
  } catch {
    hash = undefined // e.g. SM3_256: its digests are skipped by their declared size
  }
  if (hash && digestLength(hash) !== digestSize) {
    throw specIdError(`${hash} declared with ${digestSize}-byte digests`)
  }
  return { algId, digestSize, hash }
}

/** EV_NO_ACTION after the first event: never extended; StartupLocality is the one we read. */
function noAction(log: EventLog, ev: LogEvent): void {
  const d = ev.data
  const where = { index: ev.index, type: ev.typeName, pcr: ev.pcr }
  const zero = Object.values(ev.digests).every((x) => x.every((b) => b === 0))
  if (!zero) {
    throw new AegisError(
      'ERR_EVENTLOG_NO_ACTION',
      `event ${ev.index}: EV_NO_ACTION with a non-zero digest`,
      { detail: where },
    )
  }
  if (d.length < 16 || ascii(d.subarray(0, 16)) !== STARTUP_LOCALITY_SIGNATURE) return
  if (d.length !== 17 || ev.pcr !== 0 || log.startupLocality !== undefined || measuredBefore(log)) {
    throw new AegisError(
      'ERR_EVENTLOG_NO_ACTION',
      `event ${ev.index}: misplaced or malformed StartupLocality`,
      { detail: where },
    )
  }
  log.startupLocality = d[16]!
}

function measuredBefore(log: EventLog): boolean {
  return log.events.some((e) => e.pcr === 0 && e.type !== EV.NO_ACTION)
}

function ascii(b: Uint8Array): string {
  let s = ''
  for (const c of b) s += String.fromCharCode(c)
  return s
}
