import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  EARTH_MEAN_RADIUS_M,
  distanceToBoundaryM,
  haversineM,
  pointToSegmentM,
} from '../../../attest/geofence/distance.ts'
import type { LatLon } from '../../../attest/geofence/types.ts'
import { WITH_HOLE } from './fixtures.ts'

const R = EARTH_MEAN_RADIUS_M
const DEG_M = (R * Math.PI) / 180

describe('haversineM', () => {
  // Rosetta Code, task "Haversine formula": BNA (36.12, -86.67) to LAX (33.94, -118.40) is
  // 2886.44444283798329974715782394574671655 km for R = 6371.0 km and
  // 2887.25995060711033944886005029688505340 km for R = 6372.8 km.
  it('matches the Rosetta Code BNA-LAX values', () => {
    const bna = { lat: 36.12, lon: -86.67 }
    const lax = { lat: 33.94, lon: -118.4 }
    expect(haversineM(bna, lax, 6371_000)).toBeCloseTo(2886444.44283798, 4)
    expect(haversineM(bna, lax, 6372_800)).toBeCloseTo(2887259.95060711, 4)
    expect(haversineM(lax, bna, 6372_800)).toBeCloseTo(2887259.95060711, 4)
  })

  it('matches exact great-circle arcs', () => {
    // One degree along a meridian, a quarter meridian, a quarter equator and antipodes.
    expect(haversineM({ lat: 10, lon: 5 }, { lat: 11, lon: 5 })).toBeCloseTo(DEG_M, 6)
    expect(haversineM({ lat: 0, lon: 0 }, { lat: 90, lon: 0 })).toBeCloseTo((Math.PI * R) / 2, 5)
    expect(haversineM({ lat: 0, lon: 0 }, { lat: 0, lon: 90 })).toBeCloseTo((Math.PI * R) / 2, 5)
    expect(haversineM({ lat: 30, lon: 20 }, { lat: -30, lon: -160 })).toBeCloseTo(Math.PI * R, 4)
    expect(haversineM({ lat: 48.85, lon: 2.35 }, { lat: 48.85, lon: 2.35 })).toBe(0)
    // At latitude 60 a degree of longitude spans half the equatorial length (small-arc limit).
    const d = haversineM({ lat: 60, lon: 0 }, { lat: 60, lon: 0.001 })
    expect(d / (0.001 * DEG_M * 0.5)).toBeCloseTo(1, 6)
  })
})

describe('pointToSegmentM', () => {
  it('measures perpendicular, endpoint and on-segment cases', () => {
    const a = { lat: 0, lon: 0 }
    const b = { lat: 0, lon: 1 }
    // The equator is a great circle: the distance to it is the latitude arc.
    expect(pointToSegmentM({ lat: 0.01, lon: 0.5 }, a, b)).toBeCloseTo(0.01 * DEG_M, 6)
    expect(pointToSegmentM({ lat: -0.01, lon: 0.5 }, a, b)).toBeCloseTo(0.01 * DEG_M, 6)
    // Beyond the end: the distance to the endpoint.
    const p = { lat: 0.003, lon: 1.004 }
    expect(pointToSegmentM(p, a, b)).toBeCloseTo(haversineM(p, b), 6)
    expect(pointToSegmentM({ lat: 0, lon: 0.3 }, a, b)).toBe(0)
    // Degenerate edge.
    expect(pointToSegmentM({ lat: 1, lon: 0 }, a, a)).toBeCloseTo(DEG_M, 6)
  })

  /** Brute force: densely sample the lon/lat-straight edge, then refine around the best sample. */
  function bruteForce(p: LatLon, a: LatLon, b: LatLon): number {
    const at = (t: number) =>
      haversineM(p, { lat: a.lat + t * (b.lat - a.lat), lon: a.lon + t * (b.lon - a.lon) })
    const N = 2000
    let bi = 0
    let best = Infinity
    for (let i = 0; i <= N; i++) {
      const d = at(i / N)
      if (d < best) {
        best = d
        bi = i
      }
    }
    let lo = Math.max(0, (bi - 1) / N)
    let hi = Math.min(1, (bi + 1) / N)
    for (let k = 0; k < 100; k++) {
      const m1 = lo + (hi - lo) / 3
      const m2 = hi - (hi - lo) / 3
      if (at(m1) < at(m2)) hi = m2
      else lo = m1
    }
    return Math.min(best, at((lo + hi) / 2))
  }

  it('is within 0.1% of a brute-force search for edges under a few hundred km, |lat| <= 70', () => {
    const span = 2.5 // degrees: up to ~280 km of latitude, more in the box diagonal
    const coord = (lat0: number, lon0: number) =>
      fc.record({
        lat: fc.double({ min: lat0 - span, max: lat0 + span, noNaN: true }),
        lon: fc.double({ min: lon0 - span, max: lon0 + span, noNaN: true }),
      })
    const arb = fc
      .record({
        lat0: fc.double({ min: -67, max: 67, noNaN: true }),
        lon0: fc.double({ min: -170, max: 170, noNaN: true }),
      })
      .chain(({ lat0, lon0 }) => fc.tuple(coord(lat0, lon0), coord(lat0, lon0), coord(lat0, lon0)))
    fc.assert(
      fc.property(arb, ([p, a, b]) => {
        const got = pointToSegmentM(p, a, b)
        const ref = bruteForce(p, a, b)
        expect(got).toBeGreaterThanOrEqual(ref * (1 - 1e-9) - 1e-6)
        expect(got).toBeLessThanOrEqual(ref * 1.001 + 1e-6)
      }),
      { numRuns: 300 },
    )
  })
})

describe('distanceToBoundaryM', () => {
  it('takes the nearest ring, hole included', () => {
    const g = WITH_HOLE.geometry
    // 0.001 deg of latitude north of the exterior's south edge, far from the hole.
    expect(distanceToBoundaryM(g, { lon: 8.62, lat: 50.001 })).toBeCloseTo(0.001 * DEG_M, 3)
    // 0.002 deg of latitude south of the hole's south edge (50.04), nearer than any exterior edge.
    expect(distanceToBoundaryM(g, { lon: 8.65, lat: 50.038 })).toBeCloseTo(0.002 * DEG_M, 3)
  })
})
