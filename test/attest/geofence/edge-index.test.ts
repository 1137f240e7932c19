/**
 * The edge index (attest/geofence/edge-index.ts) must give the scans' answers: locateInZone ===
 * locatePoint everywhere, and boundaryWithinM === distanceToBoundaryM whenever that is below the
 * limit (>= the limit otherwise). Generated zones with thousands of edges (stars, holes,
 * MultiPolygons, combs of tall edges, near the antimeridian and a pole), and the points where the
 * scans are most delicate: vertices, edge midpoints, band borders, points just off an edge.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkFix } from '../../../attest/geofence/check-fix.ts'
import { locatePoint } from '../../../attest/geofence/contains.ts'
import { distanceToBoundaryM } from '../../../attest/geofence/distance.ts'
import {
  boundaryWithinM,
  buildEdgeIndex,
  edgeIndexOf,
  INDEX_MIN_EDGES,
  locateInZone,
  nearestBoundaryM,
} from '../../../attest/geofence/edge-index.ts'
import { parseZone } from '../../../attest/geofence/parse-zone.ts'
import type { LatLon, Position, ZoneGeometry } from '../../../attest/geofence/types.ts'

function star(lon: number, lat: number, radii: readonly number[], scale = 1): Position[] {
  const ring: Position[] = radii.map((r, i) => {
    const a = (2 * Math.PI * i) / radii.length
    return [lon + scale * r * Math.cos(a), lat + scale * r * Math.sin(a)]
  })
  ring.push(ring[0]!)
  return ring
}

function zoneOf(geometry: unknown): ZoneGeometry {
  return parseZone({ id: 'z', name: 'Z', geometry }).geometry
}

const radiiArb = fc.array(fc.double({ min: 0.3, max: 1, noNaN: true }), {
  minLength: INDEX_MIN_EDGES,
  maxLength: 1500,
})

/** A big star, a star with a star-shaped hole, or a MultiPolygon of two stars. */
const bigZone = fc
  .record({
    lon: fc.double({ min: -170, max: 170, noNaN: true }),
    lat: fc.double({ min: -60, max: 60, noNaN: true }),
    size: fc.double({ min: 0.001, max: 2, noNaN: true }),
    radii: radiiArb,
    kind: fc.constantFrom('star', 'holed', 'multi'),
  })
  .map(({ lon, lat, size, radii, kind }) => {
    const outer = star(lon, lat, radii, size)
    if (kind === 'star') return zoneOf({ type: 'Polygon', coordinates: [outer] })
    // The hole's radius stays below every outer radius (0.3): it lies inside.
    const hole = star(
      lon,
      lat,
      radii.map(() => 0.25),
      size,
    ).reverse()
    if (kind === 'holed') return zoneOf({ type: 'Polygon', coordinates: [outer, hole] })
    const other = star(lon + 3 * size, lat, radii, size)
    return zoneOf({ type: 'MultiPolygon', coordinates: [[outer], [other]] })
  })

/** Points that matter for the scans: vertices, midpoints, nudged midpoints, band borders, random. */
function probes(g: ZoneGeometry, rnd: () => number): LatLon[] {
  const ix = edgeIndexOf(g)!
  const out: LatLon[] = []
  const xy = ix.xy
  for (let n = 0; n < 40; n++) {
    const k = Math.floor(rnd() * ix.edges)
    const [ax, ay, bx, by] = [xy[4 * k]!, xy[4 * k + 1]!, xy[4 * k + 2]!, xy[4 * k + 3]!]
    const t = rnd()
    const nudge = (rnd() - 0.5) * 1e-6
    out.push({ lon: ax, lat: ay })
    out.push({ lon: ax + t * (bx - ax), lat: ay + t * (by - ay) })
    out.push({ lon: ax + t * (bx - ax) + nudge, lat: ay + t * (by - ay) - nudge })
    const band = Math.floor(rnd() * ix.bands)
    out.push({ lon: ax + (rnd() - 0.5) * 1e-3, lat: ix.minLat + band * ix.bandH })
  }
  const spanLat = ix.maxLat - ix.minLat
  for (let n = 0; n < 40; n++) {
    out.push({
      lon: xy[0]! + (rnd() - 0.5) * 4 * spanLat,
      lat: ix.minLat + (rnd() * 1.4 - 0.2) * spanLat,
    })
  }
  return out
}

function expectSameAnswers(g: ZoneGeometry, points: readonly LatLon[], limits: number[]): void {
  for (const p of points) {
    expect(locateInZone(g, p), `locate ${p.lon},${p.lat}`).toBe(locatePoint(g, p))
    const exact = distanceToBoundaryM(g, p)
    expect(nearestBoundaryM(g, p)).toBe(exact)
    for (const limit of limits) {
      const got = boundaryWithinM(g, p, limit)
      if (exact < limit) expect(got, `distance ${p.lon},${p.lat} < ${limit}`).toBe(exact)
      else expect(got).toBeGreaterThanOrEqual(limit)
    }
  }
}

function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 32
  }
}

describe('geofence edge index', () => {
  it('answers as the scans do on generated large zones', () => {
    fc.assert(
      fc.property(bigZone, fc.integer(), (g, seed) => {
        expect(edgeIndexOf(g)).not.toBeNull()
        expectSameAnswers(g, probes(g, seeded(seed)), [0.5, 20, 300, 5_000, 200_000])
      }),
      { numRuns: 30 },
    )
  }, 60_000)

  it('scans geometries below INDEX_MIN_EDGES and builds one index per geometry object', () => {
    const small = zoneOf({ type: 'Polygon', coordinates: [star(8, 50, [1, 1, 1, 1], 0.1)] })
    expect(edgeIndexOf(small)).toBeNull()
    const big = zoneOf({
      type: 'Polygon',
      coordinates: [
        star(
          8,
          50,
          Array.from({ length: INDEX_MIN_EDGES }, () => 1),
          0.1,
        ),
      ],
    })
    const ix = edgeIndexOf(big)
    expect(ix?.edges).toBe(INDEX_MIN_EDGES)
    expect(edgeIndexOf(big)).toBe(ix)
  })

  it('keeps the band lists bounded for tall edges (a comb) and still answers as the scans', () => {
    // 600 teeth, each two edges spanning the whole latitude range.
    const ring: Position[] = [[0, 0]]
    for (let i = 0; i < 600; i++) {
      ring.push([i * 0.01 + 0.002, 1])
      ring.push([i * 0.01 + 0.004, 1])
      ring.push([i * 0.01 + 0.006, 0.001])
      ring.push([i * 0.01 + 0.01, 0.001])
    }
    ring.push([6.01, 0], [0, 0])
    const g = zoneOf({ type: 'Polygon', coordinates: [ring] })
    const ix = edgeIndexOf(g)!
    expect(ix.ids.length).toBeLessThanOrEqual(16 * ix.edges)
    expect(ix.bands).toBeLessThan(Math.ceil(ix.edges / 8))
    expectSameAnswers(g, probes(g, seeded(7)), [1, 50, 2_000])
  })

  it('answers as the scans do for a MultiPolygon of many islands, squares with holes among them', () => {
    const polygons: Position[][][] = []
    for (let i = 0; i < 300; i++) {
      const lon = 10 + (i % 20) * 0.01
      const lat = 50 + Math.floor(i / 20) * 0.01
      const sq = (x: number, y: number, d: number): Position[] => [
        [x, y],
        [x + d, y],
        [x + d, y + d],
        [x, y + d],
        [x, y],
      ]
      polygons.push(
        i % 7 === 0
          ? [sq(lon, lat, 0.006), sq(lon + 0.002, lat + 0.002, 0.002).reverse()]
          : [sq(lon, lat, 0.006)],
      )
    }
    const g = zoneOf({ type: 'MultiPolygon', coordinates: polygons })
    expect(edgeIndexOf(g)!.polygons).toBe(300)
    const rnd = seeded(13)
    const grid = Array.from({ length: 200 }, () => ({
      lon: 9.995 + rnd() * 0.21,
      lat: 49.995 + rnd() * 0.16,
    }))
    expectSameAnswers(g, [...grid, ...probes(g, seeded(17))], [1, 100, 2_000])
    // Both sides of the even-odd rule were met: inside an island, in a hole, between islands.
    const seen = new Set(grid.map((p) => locateInZone(g, p)))
    expect(seen).toEqual(new Set(['inside', 'outside']))
    expect(locateInZone(g, { lon: 10.003, lat: 50.003 })).toBe('outside')
    expect(locateInZone(g, { lon: 10.001, lat: 50.001 })).toBe('inside')
  })

  it('finds an edge ending just across a band border from the point (the widened band lists)', () => {
    // A sawtooth from lat 0 to 1 whose peaks end 0.25e-9 deg below a band border and whose
    // valleys 0.25e-9 above one: a point 0.5e-9 beyond a peak or a valley lies in the next band,
    // yet within BOUNDARY_EPS_DEG of the edges there ('boundary' for the scan).
    const teeth = 200
    const edges = 2 * teeth + 3
    const bands = Math.ceil(edges / 8)
    const h = 1 / bands
    const ring: Position[] = [[0, 0]]
    const near: LatLon[] = []
    for (let i = 0; i < teeth; i++) {
      const j = (i % (bands - 2)) + 2
      const peak = j * h - 0.25e-9
      const valley = (j - 1) * h + 0.25e-9
      ring.push([i * 0.01 + 0.003, valley], [i * 0.01 + 0.006, peak])
      near.push({ lon: i * 0.01 + 0.003, lat: valley - 0.5e-9 })
      near.push({ lon: i * 0.01 + 0.006, lat: peak + 0.5e-9 })
    }
    ring.push([teeth * 0.01, 1], [teeth * 0.01 + 0.01, 0], [0, 0])
    const g = zoneOf({ type: 'Polygon', coordinates: [ring] })
    const ix = edgeIndexOf(g)!
    expect([ix.edges, ix.bands, ix.minLat, ix.maxLat]).toEqual([edges, bands, 0, 1])
    for (const p of near) expect(locatePoint(g, p)).toBe('boundary')
    expectSameAnswers(g, near, [1e-3, 1])
  })

  it('finds edges across the antimeridian and near a pole as haversine measures them', () => {
    const radii = Array.from({ length: 400 }, (_, i) => 0.5 + 0.4 * Math.abs(Math.sin(i)))
    // East of 179 up to ~179.9; a point just across the antimeridian: haversine is periodic in
    // longitude, so the scan finds the zone's edges there a few km away (zones must not cross it).
    const east = zoneOf({ type: 'Polygon', coordinates: [star(179, 10, radii, 0.99)] })
    const eastIx = edgeIndexOf(east)!
    let far = 0
    for (let k = 0; k < eastIx.edges; k++) if (eastIx.xy[4 * k]! > eastIx.xy[4 * far]!) far = k
    const across = { lon: eastIx.xy[4 * far]! - 360 + 0.003, lat: eastIx.xy[4 * far + 1]! }
    expect(distanceToBoundaryM(east, across)).toBeLessThan(20_000)
    expect(across.lon).toBeLessThan(-179)
    expectSameAnswers(east, [across, ...probes(east, seeded(3))], [100, 1_000, 20_000, 50_000])
    // A zone reaching 89.5 deg: the longitude window spans everything there.
    const polar = zoneOf({ type: 'Polygon', coordinates: [star(20, 88.5, radii, 1)] })
    expectSameAnswers(
      polar,
      [{ lon: 20, lat: 89.4 }, { lon: 160, lat: 89.45 }, ...probes(polar, seeded(5))],
      [10, 1_000, 100_000],
    )
  })

  it('gives checkFix the same decisions as a scan of the same zone', () => {
    const radii = Array.from({ length: 3000 }, (_, i) => 0.8 + 0.2 * Math.sin(i / 7))
    const ring = star(13.4, 52.5, radii, 0.1)
    const zone = parseZone({
      id: 'big',
      name: 'Big',
      geometry: { type: 'Polygon', coordinates: [ring] },
    })
    // The same zone cut into small pieces is not needed: compare with the scans directly.
    const now = Date.UTC(2026, 11, 5)
    const rnd = seeded(11)
    let accepted = 0
    let refused = 0
    let outside = 0
    for (let n = 0; n < 300; n++) {
      const fix = {
        lat: 52.5 + (rnd() - 0.5) * 0.22,
        lon: 13.4 + (rnd() - 0.5) * 0.22,
        accuracyM: [5, 50, 500][n % 3]!,
        fixTime: now,
        sensorId: 's',
      }
      const inside = locatePoint(zone.geometry, fix) !== 'outside'
      const fits = inside && distanceToBoundaryM(zone.geometry, fix) >= fix.accuracyM
      let code = 'accepted'
      try {
        checkFix({
          fix,
          zones: [zone],
          enrolledSensorId: 's',
          now,
          maxFixAgeMs: 60_000,
          maxSpeedMps: 100,
        })
      } catch (e) {
        const err = e as { code: string; detail?: { nearest?: { distanceM: number } } }
        code = err.code
        // Outside: the detail names the nearest boundary at the scan's distance.
        if (code === 'ERR_GEO_OUTSIDE') {
          expect(err.detail?.nearest?.distanceM).toBe(
            Math.round(distanceToBoundaryM(zone.geometry, fix)),
          )
          outside++
        }
      }
      expect(code).toBe(fits ? 'accepted' : inside ? 'ERR_GEO_ACCURACY' : 'ERR_GEO_OUTSIDE')
      if (fits) accepted++
      else refused++
    }
    // Both outcomes were exercised.
    expect(accepted).toBeGreaterThan(20)
    expect(refused).toBeGreaterThan(20)
    expect(outside).toBeGreaterThan(10)
  })

  it('builds an index only for the edges it was given (minEdges)', () => {
    const g = zoneOf({ type: 'Polygon', coordinates: [star(1, 1, [1, 1, 1, 1, 1], 0.5)] })
    expect(buildEdgeIndex(g)).toBeNull()
    const ix = buildEdgeIndex(g, 1)!
    expect(ix.edges).toBe(5)
    expect(ix.start.at(-1)).toBe(ix.ids.length)
  })
})
