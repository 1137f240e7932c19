/**
 * Point in (Multi)Polygon for geofence zones. Edges are straight lines in [lon, lat] (RFC 7946
 * §3.1.1: "a line between two positions is a straight Cartesian line"), so the test runs in degree
 * space; every local equirectangular projection is affine in lon/lat, so the answer is the same in
 * it. A Polygon is the even-odd rule over all its rings (ray crossing, one ring at a time), which
 * for valid input equals "inside the exterior ring and in no hole"; a MultiPolygon contains what
 * any of its polygons contains.
 *
 * Points within BOUNDARY_EPS_DEG of an edge are reported as 'boundary' rather than trusting the
 * crossing count there, which is numerically arbitrary on an edge. The zone is a closed set:
 * containsPoint counts the boundary as inside (check-fix.ts then refuses any accuracy circle
 * that reaches the boundary). Left out: longitude wrap-around (zones crossing the antimeridian are
 * split by the parser's rule) and zones enclosing a pole.
 */
import type { LatLon, PolygonRings, Ring, ZoneGeometry } from './types.ts'

export type Containment = 'inside' | 'boundary' | 'outside'

/** About 0.1 mm on the ground; far below any GNSS accuracy. */
export const BOUNDARY_EPS_DEG = 1e-9

/** Whether (px, py) lies within BOUNDARY_EPS_DEG of the segment a-b (degree space). */
export function nearSegment(
  px: number,
  py: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): boolean {
  const dx = bx - ax
  const dy = by - ay
  const len2 = dx * dx + dy * dy
  let t = len2 === 0 ? 0 : ((px - ax) * dx + (py - ay) * dy) / len2
  t = t < 0 ? 0 : t > 1 ? 1 : t
  const ex = ax + t * dx - px
  const ey = ay + t * dy - py
  return ex * ex + ey * ey <= BOUNDARY_EPS_DEG * BOUNDARY_EPS_DEG
}

/** 'inside' / 'outside' by ray crossing, 'boundary' when on an edge. */
export function locateInRing(ring: Ring, p: LatLon): Containment {
  const x = p.lon
  const y = p.lat
  let inside = false
  for (let i = 0; i + 1 < ring.length; i++) {
    const [ax, ay] = ring[i]!
    const [bx, by] = ring[i + 1]!
    if (nearSegment(x, y, ax, ay, bx, by)) return 'boundary'
    // Half-open in y, so a ray through a vertex counts the two edges meeting there once.
    if (ay > y !== by > y && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) inside = !inside
  }
  return inside ? 'inside' : 'outside'
}

function locateInPolygon(rings: PolygonRings, p: LatLon): Containment {
  let odd = false
  for (const ring of rings) {
    const c = locateInRing(ring, p)
    if (c === 'boundary') return 'boundary'
    if (c === 'inside') odd = !odd
  }
  return odd ? 'inside' : 'outside'
}

export function locatePoint(geometry: ZoneGeometry, p: LatLon): Containment {
  if (geometry.type === 'Polygon') return locateInPolygon(geometry.coordinates, p)
  let onBoundary = false
  for (const poly of geometry.coordinates) {
    const c = locateInPolygon(poly, p)
    if (c === 'inside') return 'inside'
    if (c === 'boundary') onBoundary = true
  }
  return onBoundary ? 'boundary' : 'outside'
}

/** Closed-set containment: true inside or on the boundary. */
export function containsPoint(geometry: ZoneGeometry, p: LatLon): boolean {
  return locatePoint(geometry, p) !== 'outside'
}
