/**
 * Hand-made zones for the geofence tests (not real operator data): a 0.1-degree square near
 * Frankfurt, a square with a square hole, and a MultiPolygon of two disjoint squares.
 */
import { parseZone } from '../../../attest/geofence/parse-zone.ts'
import type { Position, Zone } from '../../../attest/geofence/types.ts'

/** Closed axis-aligned square ring, counter-clockwise, as RFC 7946 recommends for exteriors. */
export function square(lon0: number, lat0: number, size: number): Position[] {
  return [
    [lon0, lat0],
    [lon0 + size, lat0],
    [lon0 + size, lat0 + size],
    [lon0, lat0 + size],
    [lon0, lat0],
  ]
}

export const SQUARE: Zone = parseZone({
  id: 'fra-square',
  name: 'Frankfurt square',
  geometry: { type: 'Polygon', coordinates: [square(8.6, 50.0, 0.1)] },
  countries: ['DE'],
})

/** 8.6..8.7 x 50.0..50.1 with the hole 8.64..8.66 x 50.04..50.06 (hole clockwise). */
export const WITH_HOLE: Zone = parseZone({
  id: 'fra-hole',
  name: 'Frankfurt with a hole',
  geometry: {
    type: 'Polygon',
    coordinates: [square(8.6, 50.0, 0.1), square(8.64, 50.04, 0.02).reverse()],
  },
})

export const MULTI: Zone = parseZone({
  id: 'two-sites',
  name: 'Two sites',
  geometry: {
    type: 'MultiPolygon',
    coordinates: [[square(8.6, 50.0, 0.1)], [square(13.3, 52.4, 0.2)]],
  },
})
