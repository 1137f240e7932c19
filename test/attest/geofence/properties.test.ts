/** fast-check properties for the geofence math (no vectors: generated inputs only). */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AegisError } from '../../../attest/errors.ts'
import { checkFix } from '../../../attest/geofence/check-fix.ts'
import { locatePoint } from '../../../attest/geofence/contains.ts'
import { parseZone } from '../../../attest/geofence/parse-zone.ts'
import type { Position } from '../../../attest/geofence/types.ts'
import { MULTI, SQUARE, WITH_HOLE } from './fixtures.ts'

const NOW = Date.UTC(2025, 5, 1)

/** A star-shaped (possibly concave) ring around a centre: random radii at increasing angles. */
const starZone = fc
  .record({
    lon: fc.double({ min: -170, max: 170, noNaN: true }),
    lat: fc.double({ min: -70, max: 70, noNaN: true }),
    radii: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 3, maxLength: 24 }),
  })
  .map(({ lon, lat, radii }) => {
    const ring: Position[] = radii.map((r, i) => {
      const a = (2 * Math.PI * i) / radii.length
      return [lon + r * Math.cos(a), lat + r * Math.sin(a)]
    })
    ring.push(ring[0]!)
    const zone = parseZone({
      id: 'star',
      name: 'Star',
      geometry: { type: 'Polygon', coordinates: [ring] },
    })
    return { zone, centre: { lon, lat } }
  })

describe('geofence properties', () => {
  it('a point far inside stays inside under tiny perturbations', () => {
    fc.assert(
      fc.property(
        starZone,
        fc.double({ min: -1e-6, max: 1e-6, noNaN: true }),
        fc.double({ min: -1e-6, max: 1e-6, noNaN: true }),
        ({ zone, centre }, dx, dy) => {
          // The centre of a star-shaped ring is at least min-radius * cos(pi/n) from every edge.
          expect(locatePoint(zone.geometry, centre)).toBe('inside')
          expect(locatePoint(zone.geometry, { lon: centre.lon + dx, lat: centre.lat + dy })).toBe(
            'inside',
          )
        },
      ),
      { numRuns: 500 },
    )
  })

  it('even-odd: inside the holed square iff inside the exterior and not in the hole', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 8.55, max: 8.75, noNaN: true }),
        fc.double({ min: 49.95, max: 50.15, noNaN: true }),
        (lon, lat) => {
          const p = { lon, lat }
          const outer = locatePoint(SQUARE.geometry, p)
          const got = locatePoint(WITH_HOLE.geometry, p)
          const inHole = lon > 8.64 && lon < 8.66 && lat > 50.04 && lat < 50.06
          if (got !== 'boundary') expect(got === 'inside').toBe(outer === 'inside' && !inHole)
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('random fixes and last fixes either pass or throw an AegisError', () => {
    const num = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.constantFrom(Number.NaN, Infinity, -Infinity, -0),
      fc.anything(),
    )
    const fixArb = fc.oneof(
      fc.record({
        lat: num,
        lon: num,
        accuracyM: num,
        fixTime: num,
        sensorId: fc.oneof(fc.string(), fc.anything()),
      }),
      fc.record({
        lat: fc.double({ min: 49.9, max: 50.2, noNaN: true }),
        lon: fc.double({ min: 8.5, max: 8.8, noNaN: true }),
        accuracyM: fc.double({ min: 0, max: 20_000, noNaN: true }),
        fixTime: fc.integer({ min: NOW - 120_000, max: NOW + 10_000 }),
        sensorId: fc.constantFrom('s1', 's2'),
      }),
      fc.anything(),
    )
    const lastArb = fc.option(
      fc.record({
        lat: fc.double({ min: -90, max: 90, noNaN: true }),
        lon: fc.double({ min: -180, max: 180, noNaN: true }),
        accuracyM: fc.double({ min: 0, max: 1e6, noNaN: true }),
        fixTime: fc.integer({ min: NOW - 1e7, max: NOW + 1e7 }),
      }),
      { nil: undefined },
    )
    fc.assert(
      fc.property(
        fixArb,
        lastArb,
        fc.subarray([SQUARE, WITH_HOLE, MULTI]),
        (fix, lastFix, zones) => {
          try {
            const r = checkFix({
              fix: fix as never,
              zones,
              enrolledSensorId: 's1',
              ...(lastFix === undefined ? {} : { lastFix }),
              now: NOW,
              maxFixAgeMs: 60_000,
              maxSpeedMps: 300,
            })
            expect(zones.map((z) => z.id)).toContain(r.zoneId)
          } catch (e) {
            expect(e).toBeInstanceOf(AegisError)
          }
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('random JSON either parses as a zone or is ERR_GEO_INVALID_ZONE', () => {
    const pos = fc.tuple(
      fc.oneof(fc.double(), fc.jsonValue()),
      fc.oneof(fc.double(), fc.jsonValue()),
    )
    const near = fc.record({
      id: fc.oneof(fc.constant('z'), fc.string()),
      name: fc.oneof(fc.constant('Z'), fc.jsonValue()),
      geometry: fc.record({
        type: fc.constantFrom('Polygon', 'MultiPolygon', 'Point'),
        coordinates: fc.oneof(
          fc.array(fc.array(pos)),
          fc.array(fc.array(fc.array(pos))),
          fc.jsonValue(),
        ),
      }),
    })
    fc.assert(
      fc.property(fc.oneof(near, fc.jsonValue(), fc.anything()), (v) => {
        try {
          parseZone(v)
        } catch (e) {
          expect(e).toBeInstanceOf(AegisError)
          expect((e as AegisError).code).toBe('ERR_GEO_INVALID_ZONE')
        }
      }),
      { numRuns: 2000 },
    )
  })
})
