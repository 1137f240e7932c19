/**
 * The geofence check on a large zone, per batch: `geofence.check-fix` runs checkFix (as ingest
 * does, through the edge index) on a 100,000-position zone (MAX_ZONE_POSITIONS, a wavy ring of
 * ~20 x 30 km around Berlin) for fixes that walk over the zone, accuracy 20 m;
 * `geofence.scan` makes the two scans checkFix made before the index (locatePoint, then
 * distanceToBoundaryM) for the same fixes; `geofence.index-build` builds the zone's index, which
 * an isolate does once per zone geometry (attest/geofence/edge-index.ts).
 */
import { checkFix } from '../../attest/geofence/check-fix.ts'
import { locatePoint } from '../../attest/geofence/contains.ts'
import { distanceToBoundaryM } from '../../attest/geofence/distance.ts'
import { buildEdgeIndex } from '../../attest/geofence/edge-index.ts'
import { MAX_ZONE_POSITIONS, parseZone } from '../../attest/geofence/parse-zone.ts'
import type { LocationFix, Position, Zone } from '../../attest/geofence/types.ts'
import type { BenchCase } from '../types.ts'

const NOW = Date.UTC(2026, 11, 5)

function bigZone(): Zone {
  const n = MAX_ZONE_POSITIONS - 1
  const ring: Position[] = []
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n
    const wave = 1 + 0.02 * Math.sin(40 * a)
    ring.push([13.4 + 0.15 * wave * Math.cos(a), 52.5 + 0.1 * wave * Math.sin(a)])
  }
  ring.push(ring[0]!)
  return parseZone({ id: 'big', name: 'Big', geometry: { type: 'Polygon', coordinates: [ring] } })
}

/** 64 fixes on a spiral from the centre towards the boundary, all inside. */
function fixes(): LocationFix[] {
  return Array.from({ length: 64 }, (_, k) => {
    const a = k * 2.4
    const r = 0.85 * Math.sqrt((k + 1) / 64)
    return {
      lon: 13.4 + 0.15 * r * Math.cos(a),
      lat: 52.5 + 0.1 * r * Math.sin(a),
      accuracyM: 20,
      fixTime: NOW,
      sensorId: 'gnss',
    }
  })
}

interface Ctx {
  zone: Zone
  fixes: LocationFix[]
  next: number
}

const setup = (): Ctx => ({ zone: bigZone(), fixes: fixes(), next: 0 })
const nextFix = (c: Ctx): LocationFix => c.fixes[c.next++ % c.fixes.length]!

export const cases: BenchCase[] = [
  {
    name: 'geofence.check-fix',
    iterations: 2000,
    warmup: 100,
    setup,
    run: (c: Ctx) =>
      checkFix({
        fix: nextFix(c),
        zones: [c.zone],
        enrolledSensorId: 'gnss',
        now: NOW,
        maxFixAgeMs: 60_000,
        maxSpeedMps: 100,
      }).zoneId,
  } satisfies BenchCase<Ctx>,
  {
    name: 'geofence.scan',
    iterations: 50,
    warmup: 5,
    setup,
    run: (c: Ctx) => {
      const fix = nextFix(c)
      if (locatePoint(c.zone.geometry, fix) === 'outside') throw new Error('fix outside')
      return distanceToBoundaryM(c.zone.geometry, fix)
    },
  } satisfies BenchCase<Ctx>,
  {
    name: 'geofence.index-build',
    iterations: 20,
    warmup: 2,
    setup,
    run: (c: Ctx) => buildEdgeIndex(c.zone.geometry)?.edges,
  } satisfies BenchCase<Ctx>,
  // Each case is typed by its own context; the list erases it, as the harness treats them alike.
] as BenchCase[]
