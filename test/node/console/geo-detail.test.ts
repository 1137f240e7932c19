/**
 * The console's reading of geofence decision details (console/src/format/geo-detail.ts), fed the
 * exact detail objects attest/geofence throws, so a change of either side shows here.
 */
import { describe, expect, it } from 'vitest'
import { AegisError } from '../../../attest/errors.ts'
import { checkFix, type CheckFixInput } from '../../../attest/geofence/check-fix.ts'
import { parseZone } from '../../../attest/geofence/parse-zone.ts'
import { fmtDistance, geoDetailRows } from '../../../console/src/format/geo-detail.ts'
import { PARIS_POLYGON } from '../helpers/fixtures.ts'

const NOW = Date.UTC(2026, 11, 4, 12)
const PARIS = parseZone({
  id: 'paris',
  name: 'Paris',
  geometry: PARIS_POLYGON,
})
const fix = (lat: number, lon: number, fixTime = NOW) => ({
  lat,
  lon,
  accuracyM: 10,
  fixTime,
  sensorId: 's',
})

function refusal(over: Partial<CheckFixInput>): { code: string; detail: unknown } {
  try {
    checkFix({
      fix: fix(48.85, 2.35),
      zones: [PARIS],
      enrolledSensorId: 's',
      now: NOW,
      maxFixAgeMs: 300_000,
      maxSpeedMps: 300,
      ...over,
    })
  } catch (e) {
    if (e instanceof AegisError)
      return { code: e.code, detail: JSON.parse(JSON.stringify(e.detail ?? null)) }
    throw e
  }
  throw new Error('accepted')
}

describe('geofence decision detail in the console', () => {
  it('ERR_GEO_OUTSIDE: the fix, the nearest zone and the distance in km', () => {
    const r = refusal({ fix: fix(52.52, 13.405) })
    expect(r.code).toBe('ERR_GEO_OUTSIDE')
    const rows = Object.fromEntries(geoDetailRows(r.code, r.detail))
    expect(rows['Reported fix']).toBe('52.52000, 13.40500 (±10 m)')
    expect(rows['Nearest zone']).toBe('paris')
    expect(rows['Distance to it']).toMatch(/^8\d\d km$/)
  })

  it('ERR_GEO_IMPOSSIBLE_TRAVEL: km, seconds and km/h against the limit', () => {
    const r = refusal({ fix: fix(48.9, 2.4), lastFix: fix(48.81, 2.21, NOW - 10_000) })
    expect(r.code).toBe('ERR_GEO_IMPOSSIBLE_TRAVEL')
    const rows = Object.fromEntries(geoDetailRows(r.code, r.detail))
    expect(rows['Distance']).toBe('17 km')
    expect(rows['Time between fixes']).toBe('10 s')
    expect(rows['Implied speed']).toMatch(/^[\d,]+ km\/h$/)
    expect(rows['Policy limit']).toBe('1,080 km/h')
  })

  it('other codes and old decisions without the members give no rows', () => {
    expect(geoDetailRows('ERR_QUOTE_SIGNATURE', { fix: { lat: 1, lon: 2 } })).toEqual([])
    expect(geoDetailRows('ERR_GEO_OUTSIDE', null)).toEqual([])
    expect(fmtDistance(950)).toBe('950 m')
    expect(fmtDistance(1500)).toBe('1.5 km')
  })
})
