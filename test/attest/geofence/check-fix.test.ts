import { describe, expect, it } from 'vitest'
import { AegisError, type ErrorCode } from '../../../attest/errors.ts'
import {
  FIX_FUTURE_SKEW_MS,
  checkFix,
  type CheckFixInput,
} from '../../../attest/geofence/check-fix.ts'
import { EARTH_MEAN_RADIUS_M, haversineM } from '../../../attest/geofence/distance.ts'
import { parseZone } from '../../../attest/geofence/parse-zone.ts'
import { MULTI, SQUARE, WITH_HOLE } from './fixtures.ts'

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0)
const DEG_M = (EARTH_MEAN_RADIUS_M * Math.PI) / 180
const SENSOR = 'gnss:ublox-m8:serial-0042'

function input(
  over: Partial<CheckFixInput> = {},
  fix: Partial<CheckFixInput['fix']> = {},
): CheckFixInput {
  return {
    fix: { lat: 50.05, lon: 8.62, accuracyM: 10, fixTime: NOW - 1_000, sensorId: SENSOR, ...fix },
    zones: [SQUARE],
    enrolledSensorId: SENSOR,
    now: NOW,
    maxFixAgeMs: 60_000,
    maxSpeedMps: 300,
    ...over,
  }
}

function code(i: CheckFixInput): ErrorCode | 'ok' {
  try {
    checkFix(i)
    return 'ok'
  } catch (e) {
    if (!(e instanceof AegisError)) throw e
    return e.code
  }
}

function detail(i: CheckFixInput): Record<string, unknown> {
  try {
    checkFix(i)
  } catch (e) {
    if (e instanceof AegisError) return (e.detail ?? {}) as Record<string, unknown>
    throw e
  }
  throw new Error('checkFix accepted')
}

describe('checkFix', () => {
  it('accepts a fresh fix well inside a zone and names the zone', () => {
    expect(checkFix(input())).toEqual({ zoneId: 'fra-square' })
  })

  it('ERR_GEO_SENSOR when the sensor differs', () => {
    expect(code(input({}, { sensorId: 'gnss:other' }))).toBe('ERR_GEO_SENSOR')
  })

  it('ERR_GEO_STALE_FIX when too old or too far in the future', () => {
    expect(code(input({}, { fixTime: NOW - 60_000 }))).toBe('ok')
    expect(code(input({}, { fixTime: NOW - 60_001 }))).toBe('ERR_GEO_STALE_FIX')
    expect(code(input({}, { fixTime: NOW + FIX_FUTURE_SKEW_MS }))).toBe('ok')
    expect(code(input({}, { fixTime: NOW + FIX_FUTURE_SKEW_MS + 1 }))).toBe('ERR_GEO_STALE_FIX')
  })

  it('ERR_GEO_NO_ZONE without zones', () => {
    expect(code(input({ zones: [] }))).toBe('ERR_GEO_NO_ZONE')
  })

  it('ERR_GEO_OUTSIDE names the fix and the nearest zone with its distance', () => {
    // 0.1 degree of latitude north of the square's northern edge (lat 50.1)
    const berlin = parseZone({
      id: 'berlin',
      name: 'Berlin',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [13.3, 52.4],
            [13.5, 52.4],
            [13.5, 52.6],
            [13.3, 52.6],
            [13.3, 52.4],
          ],
        ],
      },
    })
    const d = detail(input({ zones: [berlin, SQUARE] }, { lat: 50.2, lon: 8.65 }))
    expect(d.fix).toEqual({ lat: 50.2, lon: 8.65, accuracyM: 10 })
    const nearest = d.nearest as { zone: string; distanceM: number }
    expect(nearest.zone).toBe('fra-square')
    expect(Math.abs(nearest.distanceM - 0.1 * DEG_M)).toBeLessThan(50)
  })

  it('ERR_GEO_OUTSIDE when the centre is in no zone, hole included', () => {
    expect(code(input({}, { lat: 49.9 }))).toBe('ERR_GEO_OUTSIDE')
    expect(code(input({ zones: [WITH_HOLE] }, { lat: 50.05, lon: 8.65 }))).toBe('ERR_GEO_OUTSIDE')
  })

  it('a centre exactly on an edge is in the zone, so only accuracy can refuse it', () => {
    expect(code(input({}, { lon: 8.6, accuracyM: 0 }))).toBe('ok')
    expect(code(input({}, { lon: 8.6, accuracyM: 1 }))).toBe('ERR_GEO_ACCURACY')
  })

  it('accuracy circle touching, inside and crossing the exterior edge', () => {
    // Centre 0.001 deg north of the south edge (lat 50.0): the edge is d metres away.
    const d = 0.001 * DEG_M
    const near = { lat: 50.001, lon: 8.65 }
    expect(code(input({}, { ...near, accuracyM: d * (1 - 1e-6) }))).toBe('ok')
    expect(code(input({}, { ...near, accuracyM: d * (1 + 1e-6) }))).toBe('ERR_GEO_ACCURACY')
    // East edge (lon 8.7): shorter by cos(lat).
    const dEast = haversineM({ lat: 50.05, lon: 8.699 }, { lat: 50.05, lon: 8.7 })
    const east = { lat: 50.05, lon: 8.699 }
    expect(code(input({}, { ...east, accuracyM: dEast * (1 - 1e-6) }))).toBe('ok')
    expect(code(input({}, { ...east, accuracyM: dEast * (1 + 1e-6) }))).toBe('ERR_GEO_ACCURACY')
  })

  it('accuracy circle crossing into a hole is refused', () => {
    // Hole spans lat 50.04..50.06; centre 0.002 deg south of it.
    const d = 0.002 * DEG_M
    const fix = { lat: 50.038, lon: 8.65 }
    expect(code(input({ zones: [WITH_HOLE] }, { ...fix, accuracyM: d * 0.999 }))).toBe('ok')
    expect(code(input({ zones: [WITH_HOLE] }, { ...fix, accuracyM: d * 1.001 }))).toBe(
      'ERR_GEO_ACCURACY',
    )
    // The same fix in the zone without a hole has room to spare.
    expect(code(input({ zones: [SQUARE] }, { ...fix, accuracyM: d * 1.001 }))).toBe('ok')
  })

  it('tries every zone: a later zone that holds the whole circle admits the fix', () => {
    const fix = { lat: 50.038, lon: 8.65, accuracyM: 0.002 * DEG_M * 1.5 }
    expect(checkFix(input({ zones: [WITH_HOLE, SQUARE] }, fix))).toEqual({ zoneId: 'fra-square' })
    expect(checkFix(input({ zones: [WITH_HOLE, MULTI] }, fix))).toEqual({ zoneId: 'two-sites' })
    expect(checkFix(input({ zones: [WITH_HOLE, MULTI] }, { lat: 52.5, lon: 13.4 }))).toEqual({
      zoneId: 'two-sites',
    })
  })

  describe('impossible travel', () => {
    const here = { lat: 50.05, lon: 8.62 }
    // About 1.11 km due south, still in the square.
    const there = { lat: 50.04, lon: 8.62, accuracyM: 5 }
    const dist = haversineM(here, there)

    it('refuses a speed above the limit and accepts one below', () => {
      const last = { ...there, fixTime: NOW - 11_000 }
      // ~1110 m - 15 m in 10 s is ~110 m/s.
      expect(code(input({ lastFix: last, maxSpeedMps: 120 }))).toBe('ok')
      expect(code(input({ lastFix: last, maxSpeedMps: 100 }))).toBe('ERR_GEO_IMPOSSIBLE_TRAVEL')
    })

    it('says how far and how fast, for the audit trail', () => {
      const last = { ...there, fixTime: NOW - 11_000 }
      const d = detail(input({ lastFix: last, maxSpeedMps: 100 }))
      expect(d).toMatchObject({ maxSpeedMps: 100, distanceM: Math.round(dist), elapsedS: 10 })
      expect(d.speedMps as number).toBeCloseTo((dist - 15) / 10, 6)
      expect(d.from).toEqual({ lat: 50.04, lon: 8.62 })
      expect(d.to).toEqual({ lat: 50.05, lon: 8.62 })
      // a fix older than the last: no finite speed, reported as null (JSON has no Infinity)
      const later = { ...there, fixTime: NOW }
      expect(detail(input({ lastFix: later })).speedMps).toBeNull()
    })

    it('subtracts both accuracy radii before dividing by time', () => {
      const last = { ...there, accuracyM: dist - 10, fixTime: NOW - 1_001 }
      expect(code(input({ lastFix: last, maxSpeedMps: 0 }))).toBe('ok')
      // 2 m of unexplained gap in 1 s.
      const last2 = { ...there, accuracyM: dist - 10 - 2, fixTime: NOW - 2_000 }
      expect(code(input({ lastFix: last2, maxSpeedMps: 1.9 }))).toBe('ERR_GEO_IMPOSSIBLE_TRAVEL')
      expect(code(input({ lastFix: last2, maxSpeedMps: 2.1 }))).toBe('ok')
    })

    it('a fix older than the last one is impossible; the same instant needs no movement', () => {
      const same = { ...here, accuracyM: 10, fixTime: NOW - 1_000 }
      expect(code(input({ lastFix: same, maxSpeedMps: 0 }))).toBe('ok')
      expect(code(input({ lastFix: { ...same, fixTime: NOW - 999 } }))).toBe(
        'ERR_GEO_IMPOSSIBLE_TRAVEL',
      )
      expect(code(input({ lastFix: { ...there, fixTime: NOW - 1_000 } }))).toBe(
        'ERR_GEO_IMPOSSIBLE_TRAVEL',
      )
    })
  })

  it('checks in the documented order', () => {
    const bad = {
      sensorId: 'x',
      fixTime: NOW - 3_600_000,
      lat: 10,
      lon: 10,
    }
    const last = { lat: -50, lon: 100, accuracyM: 1, fixTime: NOW }
    expect(code(input({ lastFix: last, zones: [] }, bad))).toBe('ERR_GEO_SENSOR')
    expect(code(input({ lastFix: last, zones: [] }, { ...bad, sensorId: SENSOR }))).toBe(
      'ERR_GEO_STALE_FIX',
    )
    const fresh = { ...bad, sensorId: SENSOR, fixTime: NOW - 1 }
    expect(code(input({ lastFix: last, zones: [] }, fresh))).toBe('ERR_GEO_NO_ZONE')
    expect(code(input({ lastFix: last }, fresh))).toBe('ERR_GEO_OUTSIDE')
    const edge = { ...fresh, lat: 50.0001, lon: 8.65, accuracyM: 100 }
    expect(code(input({ lastFix: last }, edge))).toBe('ERR_GEO_ACCURACY')
    expect(code(input({ lastFix: last }, { ...edge, accuracyM: 1 }))).toBe(
      'ERR_GEO_IMPOSSIBLE_TRAVEL',
    )
  })

  it('malformed fixes are ERR_INPUT_MALFORMED, bad parameters ERR_INTERNAL', () => {
    expect(code(input({}, { lat: 91 }))).toBe('ERR_INPUT_MALFORMED')
    expect(code(input({}, { lon: Number.NaN }))).toBe('ERR_INPUT_MALFORMED')
    expect(code(input({}, { accuracyM: -1 }))).toBe('ERR_INPUT_MALFORMED')
    expect(code(input({}, { fixTime: Infinity }))).toBe('ERR_INPUT_MALFORMED')
    expect(code(input({}, { sensorId: 5 as unknown as string }))).toBe('ERR_INPUT_MALFORMED')
    expect(code({ ...input(), fix: null as unknown as CheckFixInput['fix'] })).toBe(
      'ERR_INPUT_MALFORMED',
    )
    expect(code(input({ now: Number.NaN }))).toBe('ERR_INTERNAL')
    expect(code(input({ maxSpeedMps: -1 }))).toBe('ERR_INTERNAL')
    expect(code(input({ lastFix: { lat: 0, lon: 0, accuracyM: 0, fixTime: Number.NaN } }))).toBe(
      'ERR_INTERNAL',
    )
  })
})
