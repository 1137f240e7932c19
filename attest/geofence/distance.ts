/**
 * Distances for the geofence check, in metres on a sphere of the WGS-84 ellipsoid's mean radius
 * R1 = (2a + b) / 3 = 6371008.8 m (the IUGG mean Earth radius).
 *
 * - haversineM: great-circle distance (haversine formula, R. W. Sinnott, Sky & Telescope 1984).
 * - pointToSegmentM: distance from a point to a zone edge. Edges are straight in [lon, lat]
 *   (RFC 7946 §3.1.1), so the nearest point on the edge is found on a local equirectangular
 *   projection centred on the point (x = dlon * cos(lat0), y = dlat, which maps edges to straight
 *   segments exactly) and then measured with haversine. The projection only chooses *which* edge
 *   point is nearest; an error there changes the distance to second order, so for zones under a few
 *   hundred km at |lat| <= 70 deg the result is within 0.1% of the true spherical distance to the
 *   edge (test/attest/geofence/distance.test.ts checks this against a brute-force search). Being
 *   the length to an actual point of the edge, it can only over-estimate, by that second-order
 *   amount.
 * Left out: the ellipsoid (the sphere differs from WGS-84 geodesics by up to ~0.5%, i.e. 10 cm on
 * a 20 m accuracy radius), longitude wrap-around (zones crossing the antimeridian must be split;
 * see parse-zone.ts) and edges passing over a pole.
 */
import type { LatLon, ZoneGeometry } from './types.ts'

export const EARTH_MEAN_RADIUS_M = 6371008.8
const RAD = Math.PI / 180

export function haversineM(a: LatLon, b: LatLon, radiusM = EARTH_MEAN_RADIUS_M): number {
  const p1 = a.lat * RAD
  const p2 = b.lat * RAD
  const sDlat = Math.sin((p2 - p1) / 2)
  const sDlon = Math.sin(((b.lon - a.lon) * RAD) / 2)
  const h = sDlat * sDlat + Math.cos(p1) * Math.cos(p2) * sDlon * sDlon
  // Rounding can push h a hair outside [0, 1] for antipodal points.
  return 2 * radiusM * Math.asin(Math.sqrt(Math.min(1, Math.max(0, h))))
}

/** Distance from p to the edge a-b (a straight line in lon/lat), in metres. */
export function pointToSegmentM(p: LatLon, a: LatLon, b: LatLon): number {
  const kx = Math.cos(p.lat * RAD)
  const ax = (a.lon - p.lon) * kx
  const ay = a.lat - p.lat
  const dx = (b.lon - a.lon) * kx
  const dy = b.lat - a.lat
  const len2 = dx * dx + dy * dy
  let t = len2 === 0 ? 0 : -(ax * dx + ay * dy) / len2
  t = t < 0 ? 0 : t > 1 ? 1 : t
  // The projection is affine in lon/lat, so the same t names the nearest point on the real edge.
  const q = { lon: a.lon + t * (b.lon - a.lon), lat: a.lat + t * (b.lat - a.lat) }
  return haversineM(p, q)
}

/** Shortest distance from p to any ring edge (exterior or hole) of the geometry, in metres. */
export function distanceToBoundaryM(geometry: ZoneGeometry, p: LatLon): number {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
  let best = Infinity
  for (const rings of polys) {
    for (const ring of rings) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const [alon, alat] = ring[i]!
        const [blon, blat] = ring[i + 1]!
        const d = pointToSegmentM(p, { lon: alon, lat: alat }, { lon: blon, lat: blat })
        if (d < best) best = d
      }
    }
  }
  return best
}
