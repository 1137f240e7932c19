// Hostile and broken logs: each malformation has its own code, and fuzzed or truncated real logs
// give typed ERR_EVENTLOG_* errors only (never a crash, hang or another error type).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { concat } from '../../../attest/bytes/encoding.ts'
import { bootState } from '../../../attest/eventlog/boot-state.ts'
import { decodeEvent } from '../../../attest/eventlog/decode-event.ts'
import { EV } from '../../../attest/eventlog/event-types.ts'
import { parseEventLog } from '../../../attest/eventlog/parse-event-log.ts'
import { replayEventLog } from '../../../attest/eventlog/replay.ts'
import { AegisError } from '../../../attest/errors.ts'
import { code } from '../../helpers/error-code.ts'
import { agileEvent, buildLog, specIdEvent, u32, variable } from './build-log.ts'
import { LOGS } from './logs.ts'

const rhel8 = LOGS['gce-rhel8.eventlog']!

function patched(b: Uint8Array, at: number, bytes: number[]): Uint8Array {
  const c = b.slice()
  c.set(bytes, at)
  return c
}

/** Offset of the first TCG_PCR_EVENT2 after the Spec ID event (32-byte header + its data). */
const firstAgile = 32 + (rhel8[28]! | (rhel8[29]! << 8))

describe('each malformation has its own code', () => {
  const cases: Array<[string, () => unknown]> = [
    ['ERR_EVENTLOG_EMPTY', () => parseEventLog(new Uint8Array())],
    ['ERR_EVENTLOG_TOO_LARGE', () => parseEventLog(rhel8, { maxBytes: 1000 })],
    ['ERR_EVENTLOG_TOO_LARGE', () => parseEventLog(rhel8, { maxEvents: 10 })],
    ['ERR_EVENTLOG_TRUNCATED', () => parseEventLog(rhel8.subarray(0, rhel8.length - 3))],
    ['ERR_EVENTLOG_TRUNCATED', () => parseEventLog(patched(rhel8, 28, [0xff, 0xff, 0xff, 0x7f]))],
    ['ERR_EVENTLOG_SPEC_ID', () => parseEventLog(patched(rhel8, 32 + 16 + 4 + 1, [1]))],
    ['ERR_EVENTLOG_SPEC_ID', () => parseEventLog(patched(rhel8, 32 + 24, [0, 0, 0, 0]))],
    ['ERR_EVENTLOG_DIGEST_ALGS', () => parseEventLog(patched(rhel8, firstAgile + 8, [2]))],
    ['ERR_EVENTLOG_DIGEST_ALGS', () => parseEventLog(patched(rhel8, firstAgile + 12, [0x0c]))],
    ['ERR_EVENTLOG_PCR_INDEX', () => parseEventLog(patched(rhel8, firstAgile, [24]))],
    [
      'ERR_EVENTLOG_NO_ACTION',
      () => parseEventLog(buildLog([{ pcr: 0, type: EV.NO_ACTION, data: new Uint8Array(4) }])),
    ],
    [
      'ERR_EVENTLOG_NO_ACTION',
      () =>
        parseEventLog(
          concat(
            specIdEvent(),
            agileEvent({ pcr: 0, type: EV.S_CRTM_VERSION, data: new Uint8Array(2) }),
            agileEvent({
              pcr: 0,
              type: EV.NO_ACTION,
              data: new TextEncoder().encode('StartupLocality\0\x03'),
              digests: { sha1: new Uint8Array(20), sha256: new Uint8Array(32) },
            }),
          ),
        ),
    ],
    [
      'ERR_EVENTLOG_EVENT_DATA',
      () =>
        decodeEvent(
          parseEventLog(
            buildLog([
              {
                pcr: 7,
                type: EV.EFI_VARIABLE_DRIVER_CONFIG,
                data: variable('SecureBoot', new Uint8Array([1, 1])),
              },
            ]),
          ).events[1]!,
        ),
    ],
    [
      'ERR_EVENTLOG_EVENT_DATA',
      () =>
        decodeEvent(
          parseEventLog(
            buildLog([
              {
                pcr: 7,
                type: EV.EFI_VARIABLE_DRIVER_CONFIG,
                data: variable('db', concat(new Uint8Array(16), u32(20), u32(0), u32(16))),
              },
            ]),
          ).events[1]!,
        ),
    ],
    [
      'ERR_EVENTLOG_EVENT_DATA',
      () =>
        decodeEvent(
          parseEventLog(buildLog([{ pcr: 0, type: EV.SEPARATOR, data: new Uint8Array(3) }]))
            .events[1]!,
        ),
    ],
  ]
  it.each(cases)('%s', (want, f) => expect(code(f)).toBe(want))

  it('names the event that is malformed', () => {
    try {
      parseEventLog(patched(rhel8, firstAgile, [24]))
      expect.unreachable()
    } catch (e) {
      expect((e as AegisError).detail).toMatchObject({ index: 1, pcr: 24 })
    }
  })
})

/** Parse, decode, summarise and replay; any failure must be a typed event-log error. */
function fullRun(b: Uint8Array): string {
  try {
    const log = parseEventLog(b)
    replayEventLog(log)
    bootState(log)
    for (const ev of log.events) {
      try {
        decodeEvent(ev)
      } catch (e) {
        if (!(e instanceof AegisError) || e.code !== 'ERR_EVENTLOG_EVENT_DATA') throw e
      }
    }
    return 'ok'
  } catch (e) {
    if (e instanceof AegisError && e.code.startsWith('ERR_EVENTLOG_')) return e.code
    throw e
  }
}

describe('fuzzed and truncated real logs', () => {
  const names = Object.keys(LOGS)
  it('truncation anywhere: typed errors only', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (name, f) => {
          const b = LOGS[name]!
          fullRun(b.subarray(0, Math.floor(b.length * f)))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('random byte changes: typed errors only', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.array(
          fc.tuple(
            fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
            fc.integer({ min: 0, max: 255 }),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        (name, edits) => {
          const b = LOGS[name]!.slice()
          for (const [f, v] of edits) b[Math.floor(b.length * f)] = v
          fullRun(b)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('random bytes: typed errors only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (b) => void fullRun(b)),
      { numRuns: 500 },
    )
  })
})
