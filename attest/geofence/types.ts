/**
 * Shapes the geofence check works on: operator zones (GeoJSON Polygon / MultiPolygon, RFC 7946
 * §3.1.6-3.1.7) as produced by parse-zone.ts, and location fixes as carried in a batch payload
 * (DESIGN.md "Proof of Geofencing"). Positions keep GeoJSON's [longitude, latitude] order in
 * degrees (RFC 7946 §3.1.1); the parser drops any altitude.
 */

export type Position = readonly [lon: number, lat: number]
/** A closed linear ring: first and last positions equal, at least four positions. */
export type Ring = readonly Position[]
/** Exterior ring first, then holes (RFC 7946 §3.1.6). */
export type PolygonRings = readonly Ring[]

export type ZoneGeometry =
  | { readonly type: 'Polygon'; readonly coordinates: PolygonRings }
  | { readonly type: 'MultiPolygon'; readonly coordinates: readonly PolygonRings[] }

export interface Zone {
  readonly id: string
  readonly name: string
  readonly geometry: ZoneGeometry
  /** ISO 3166-1 alpha-2 codes the IP-based country may be required to match. */
  readonly countries?: readonly string[]
  /** Where the data of agents in this zone must stay (docs/sovereignty.md); absent: anywhere. */
  readonly jurisdiction?: Jurisdiction
}

/** Data-residency jurisdictions Cloudflare can restrict storage to (docs/sovereignty.md). */
export const JURISDICTIONS = ['eu', 'us', 'fedramp'] as const
export type Jurisdiction = (typeof JURISDICTIONS)[number]

export interface LatLon {
  readonly lat: number
  readonly lon: number
}

/** A stored or previous fix: where, how sure (metres, 1 sigma-ish radius), when (ms epoch). */
export interface PastFix extends LatLon {
  readonly accuracyM: number
  readonly fixTime: number
}

/** The fix reported in a batch payload's `location`. */
export interface LocationFix extends PastFix {
  readonly sensorId: string
}
