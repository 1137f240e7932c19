/**
 * Latitude-band index of a zone's edges, so the per-batch geofence check costs what the few edges
 * near the fix cost rather than what every edge of the zone does. A zone may have up to
 * MAX_ZONE_POSITIONS (100,000) positions: a country's or a coastline's boundary has tens of
 * thousands, and scanning them all (ray crossing, then a haversine per edge for the distance to
 * the boundary) took ~4 ms per batch at 100,000, ~13x everything else verification does
 * (`npm run -s bench -- --only geofence`).
 *
 * Every edge is listed in each latitude band its latitude range (widened by BOUNDARY_EPS_DEG)
 * overlaps. Two queries give exactly the answers of the scans in contains.ts and distance.ts:
 * - `locateInZone`: the edges that can cross the eastward ray from the point, or lie within
 *   BOUNDARY_EPS_DEG of it, all have a latitude range containing the point's latitude, so they
 *   are all in the point's band; the crossing test and the even-odd rule per polygon are the
 *   scan's, on the same numbers.
 * - `boundaryWithinM(g, p, limitM)`: the exact distance to the boundary when it is below limitM
 *   (what check-fix.ts decides on), otherwise a number >= limitM. A point q of an edge with
 *   haversine(p, q) < limitM lies within limitM / R radians of latitude of p (a meridian arc is
 *   the shortest path for a latitude difference) and, from the haversine identity
 *   hav(d) = hav(dlat) + cos(lat1) cos(lat2) hav(dlon), within 2 asin(sin(limitM / 2R) / cos(lat))
 *   of longitude, lat being the most poleward latitude in that band (and the same shifted by
 *   +-360 deg: haversine is periodic in longitude). So every edge nearer than limitM has a
 *   bounding box meeting that window, and only those edges are measured, with the scan's
 *   pointToSegmentM.
 * Geometries under INDEX_MIN_EDGES edges are scanned: there the index costs more than it saves.
 * Indices are built on first use and kept per geometry object (a WeakMap: the config loader keeps
 * a zone's geometry object while its stored text is unchanged, worker/config/settings-store.ts).
 * Memory: 4 doubles per edge plus the band lists, which are capped at BAND_ENTRIES_PER_EDGE
 * entries per edge on average (fewer bands when tall edges would exceed it).
 */
import { BOUNDARY_EPS_DEG, locatePoint, nearSegment, type Containment } from './contains.ts'
import { distanceToBoundaryM, EARTH_MEAN_RADIUS_M, pointToSegmentM } from './distance.ts'
import type { LatLon, PolygonRings, ZoneGeometry } from './types.ts'

/** Fewer edges than this: scan (the index's setup and bookkeeping cost more than they save). */
export const INDEX_MIN_EDGES = 256
/** Target edges per band for a zone whose edges are short. */
const EDGES_PER_BAND = 8
/** Band list entries per edge, on average, at most (tall edges appear in many bands). */
const BAND_ENTRIES_PER_EDGE = 16
const RAD = Math.PI / 180
/** Widening of the search window against rounding in the bounds (relative, then absolute). */
const REL_SLACK = 1e-9
const ABS_SLACK_DEG = 1e-12

export interface EdgeIndex {
  edges: number
  /** Per edge: ax, ay, bx, by (lon, lat of its two ends). */
  xy: Float64Array
  /** Per edge: the index of its polygon (0 for a Polygon). */
  poly: Int32Array
  polygons: number
  minLat: number
  maxLat: number
  bands: number
  bandH: number
  /** Band b lists the edges ids[start[b]] .. ids[start[b + 1] - 1]. */
  start: Int32Array
  ids: Int32Array
  /** Scratch for locateInZone, per polygon (all zero between calls). */
  scratch: Uint8Array
}

const built = new WeakMap<ZoneGeometry, EdgeIndex | null>()

function polygonsOf(g: ZoneGeometry): readonly PolygonRings[] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates
}

/** The geometry's index, built on first use; null when it has too few edges to need one. */
export function edgeIndexOf(g: ZoneGeometry): EdgeIndex | null {
  const known = built.get(g)
  if (known !== undefined) return known
  const index = buildEdgeIndex(g)
  built.set(g, index)
  return index
}

export function buildEdgeIndex(g: ZoneGeometry, minEdges = INDEX_MIN_EDGES): EdgeIndex | null {
  const polys = polygonsOf(g)
  let edges = 0
  for (const rings of polys) for (const ring of rings) edges += Math.max(0, ring.length - 1)
  if (edges < minEdges || edges === 0) return null
  const xy = new Float64Array(edges * 4)
  const poly = new Int32Array(edges)
  let minLat = Infinity
  let maxLat = -Infinity
  let e = 0
  polys.forEach((rings, pi) => {
    for (const ring of rings) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const [ax, ay] = ring[i]!
        const [bx, by] = ring[i + 1]!
        xy[4 * e] = ax
        xy[4 * e + 1] = ay
        xy[4 * e + 2] = bx
        xy[4 * e + 3] = by
        poly[e] = pi
        minLat = Math.min(minLat, ay, by)
        maxLat = Math.max(maxLat, ay, by)
        e++
      }
    }
  })
  // Each edge's first and last band (its latitude range widened by BOUNDARY_EPS_DEG), for a band
  // count whose lists stay within BAND_ENTRIES_PER_EDGE entries per edge on average.
  const first = new Int32Array(edges)
  const last = new Int32Array(edges)
  let bands = Math.max(1, Math.ceil(edges / EDGES_PER_BAND))
  let bandH: number
  let entries: number
  for (;;) {
    bandH = (maxLat - minLat) / bands
    entries = 0
    for (let k = 0; k < edges; k++) {
      const ay = xy[4 * k + 1]!
      const by = xy[4 * k + 3]!
      first[k] = bandAt(minLat, bandH, bands, Math.min(ay, by) - BOUNDARY_EPS_DEG)
      last[k] = bandAt(minLat, bandH, bands, Math.max(ay, by) + BOUNDARY_EPS_DEG)
      entries += last[k]! - first[k]! + 1
    }
    if (bands === 1 || entries <= BAND_ENTRIES_PER_EDGE * edges) break
    bands = Math.max(1, Math.floor((bands * BAND_ENTRIES_PER_EDGE * edges) / entries / 2))
  }
  const start = new Int32Array(bands + 1)
  for (let k = 0; k < edges; k++) for (let b = first[k]!; b <= last[k]!; b++) start[b + 1]!++
  for (let b = 0; b < bands; b++) start[b + 1]! += start[b]!
  const fill = start.slice(0, bands)
  const ids = new Int32Array(entries)
  for (let k = 0; k < edges; k++) for (let b = first[k]!; b <= last[k]!; b++) ids[fill[b]!++] = k
  return {
    edges,
    xy,
    poly,
    polygons: polys.length,
    minLat,
    maxLat,
    bands,
    bandH,
    start,
    ids,
    scratch: new Uint8Array(polys.length),
  }
}

/** The band of a latitude, clamped to the bands (a flat zone has one band). */
function bandAt(minLat: number, bandH: number, bands: number, lat: number): number {
  if (!(bandH > 0)) return 0
  const b = Math.floor((lat - minLat) / bandH)
  return b < 0 ? 0 : b >= bands ? bands - 1 : b
}

function bandOf(ix: EdgeIndex, lat: number): number {
  return bandAt(ix.minLat, ix.bandH, ix.bands, lat)
}

/** Calls `fn` with each edge listed in bands b0..b1 (an edge in several bands comes once per band). */
function forEachEdge(
  ix: EdgeIndex,
  b0: number,
  b1: number,
  fn: (ax: number, ay: number, bx: number, by: number, k: number) => void,
): void {
  const xy = ix.xy
  for (let j = ix.start[b0]!; j < ix.start[b1 + 1]!; j++) {
    const k = ix.ids[j]!
    fn(xy[4 * k]!, xy[4 * k + 1]!, xy[4 * k + 2]!, xy[4 * k + 3]!, k)
  }
}

/** locatePoint (contains.ts), through the index for large geometries; the same answer. */
export function locateInZone(g: ZoneGeometry, p: LatLon): Containment {
  const ix = edgeIndexOf(g)
  if (!ix) return locatePoint(g, p)
  const x = p.lon
  const y = p.lat
  // No edge crosses the point's latitude or comes within BOUNDARY_EPS_DEG of it.
  if (y < ix.minLat - BOUNDARY_EPS_DEG || y > ix.maxLat + BOUNDARY_EPS_DEG) return 'outside'
  // Per polygon met in the band: crossing parity (bit 0), an edge on the point (bit 1), met (bit 2).
  // Only the polygons met are read and cleared, so a MultiPolygon of many islands costs its band.
  const s = ix.scratch
  const met: number[] = []
  const b = bandOf(ix, y)
  forEachEdge(ix, b, b, (ax, ay, bx, by, k) => {
    const pi = ix.poly[k]!
    if (!(s[pi]! & 4)) {
      s[pi] = 4
      met.push(pi)
    }
    if (nearSegment(x, y, ax, ay, bx, by)) s[pi]! |= 2
    // Half-open in y, as contains.ts: a ray through a vertex counts the two edges there once.
    else if (ay > y !== by > y && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) s[pi]! ^= 1
  })
  // contains.ts: a polygon with an edge on the point is 'boundary' whatever its parity; a
  // MultiPolygon is 'inside' if any polygon is, else 'boundary' if any polygon is.
  let inside = false
  let onBoundary = false
  for (const pi of met) {
    if (s[pi]! & 2) onBoundary = true
    else if (s[pi]! & 1) inside = true
    s[pi] = 0
  }
  if (inside) return 'inside'
  return onBoundary ? 'boundary' : 'outside'
}

/**
 * The distance from p to the geometry's boundary (distanceToBoundaryM) when it is below limitM;
 * otherwise some number >= limitM (Infinity when no edge comes that near). check-fix.ts only
 * needs to know whether the accuracy circle fits, and how far it misses when it does not.
 */
export function boundaryWithinM(g: ZoneGeometry, p: LatLon, limitM: number): number {
  const ix = edgeIndexOf(g)
  const angle = limitM / EARTH_MEAN_RADIUS_M
  if (!ix || !(angle < Math.PI / 2)) return distanceToBoundaryM(g, p)
  const dLat = (angle / RAD) * (1 + REL_SLACK) + ABS_SLACK_DEG
  const lo = p.lat - dLat
  const hi = p.lat + dLat
  if (hi < ix.minLat || lo > ix.maxLat) return Infinity
  const poleward = Math.max(Math.abs(lo), Math.abs(hi))
  const ratio = poleward >= 90 ? Infinity : Math.sin(angle / 2) / Math.cos(poleward * RAD)
  // Near a pole the window spans every longitude.
  const dLon =
    ratio >= 1 ? Infinity : ((2 * Math.asin(ratio)) / RAD) * (1 + REL_SLACK) + ABS_SLACK_DEG
  let best = Infinity
  forEachEdge(ix, bandOf(ix, lo), bandOf(ix, hi), (ax, ay, bx, by) => {
    if ((ay < lo && by < lo) || (ay > hi && by > hi)) return
    if (!lonWindowMeets(ax < bx ? ax : bx, ax < bx ? bx : ax, p.lon, dLon)) return
    const d = pointToSegmentM(p, { lon: ax, lat: ay }, { lon: bx, lat: by })
    if (d < best) best = d
  })
  return best
}

/** Whether [minLon, maxLon] meets [lon - dLon, lon + dLon] shifted by 0 or +-360 degrees. */
function lonWindowMeets(minLon: number, maxLon: number, lon: number, dLon: number): boolean {
  if (dLon === Infinity) return true
  for (const shift of [0, 360, -360]) {
    if (maxLon >= lon + shift - dLon && minLon <= lon + shift + dLon) return true
  }
  return false
}

/**
 * distanceToBoundaryM through the index: windows of 1, 10, 100 and 1,000 km, then the scan. The
 * same number (each window's answer is exact when below its limit); for ERR_GEO_OUTSIDE's detail.
 */
export function nearestBoundaryM(g: ZoneGeometry, p: LatLon): number {
  for (const limitM of [1e3, 1e4, 1e5, 1e6]) {
    const d = boundaryWithinM(g, p, limitM)
    if (d < limitM) return d
  }
  return distanceToBoundaryM(g, p)
}
