/**
 * Strict validation of operator geofence zones: `{id, name, geometry, countries?}` where geometry is
 * a GeoJSON Polygon or MultiPolygon (RFC 7946 §3.1.6-3.1.7). Every failure is
 * ERR_GEO_INVALID_ZONE with `detail.path`, a JSON path to the offending value (`$.geometry...`).
 *
 * Checked: known members only (`bbox` is accepted on the geometry and ignored), finite numbers,
 * lon in [-180, 180], lat in [-90, 90], rings closed with >= 4 positions and non-zero area, no edge
 * spanning more than 180 degrees of longitude (a zone crossing the antimeridian must be split in
 * two, RFC 7946 §3.1.9), ISO 3166-1 alpha-2 shape of country codes, unique zone ids in a list.
 * Left out: ring winding order (RFC 7946 §3.1.6 says parsers should not reject on it), holes lying
 * inside their exterior ring, self-intersection, and whether a country code is currently assigned.
 * The result is a fresh copy holding only [lon, lat] positions.
 */
import { AegisError } from '../errors.ts'
import { JURISDICTIONS, type Jurisdiction } from './types.ts'
import type { PolygonRings, Position, Ring, Zone, ZoneGeometry } from './types.ts'

/** Bounds the work a single zone can cost the hot path. */
export const MAX_ZONE_POSITIONS = 100_000
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/
const COUNTRY_RE = /^[A-Z]{2}$/
const MAX_NAME = 256

function fail(path: string, message: string): never {
  throw new AegisError('ERR_GEO_INVALID_ZONE', `zone ${path}: ${message}`, { detail: { path } })
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) fail(`${path}.${k}`, 'unknown member')
  }
}

function arrayAt(v: unknown, path: string, min: number): unknown[] {
  if (!Array.isArray(v)) fail(path, 'expected an array')
  if (v.length < min) fail(path, `expected at least ${min} elements`)
  return v
}

interface Budget {
  left: number
}

function parsePosition(v: unknown, path: string): Position {
  const a = arrayAt(v, path, 2)
  if (a.length > 3) fail(path, 'a position has 2 or 3 numbers')
  for (let i = 0; i < a.length; i++) {
    const n = a[i]
    if (typeof n !== 'number' || !Number.isFinite(n)) fail(`${path}[${i}]`, 'not a finite number')
  }
  const lon = a[0] as number
  const lat = a[1] as number
  if (lon < -180 || lon > 180) fail(`${path}[0]`, 'longitude outside [-180, 180]')
  if (lat < -90 || lat > 90) fail(`${path}[1]`, 'latitude outside [-90, 90]')
  return [lon, lat]
}

function parseRing(v: unknown, path: string, budget: Budget): Ring {
  const a = arrayAt(v, path, 4)
  budget.left -= a.length
  if (budget.left < 0) fail(path, `zone has more than ${MAX_ZONE_POSITIONS} positions`)
  const ring = a.map((p, i) => parsePosition(p, `${path}[${i}]`))
  const first = a[0] as number[]
  const last = a[a.length - 1] as number[]
  // RFC 7946 §3.1.6: first and last positions are equivalent (altitude included, if given).
  if (first.length !== last.length || first.some((n, i) => n !== last[i])) {
    fail(path, 'ring is not closed')
  }
  let area2 = 0
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x0, y0] = ring[i]!
    const [x1, y1] = ring[i + 1]!
    if (Math.abs(x1 - x0) > 180) {
      fail(
        `${path}[${i + 1}]`,
        'edge spans more than 180 degrees of longitude; split the zone at the antimeridian',
      )
    }
    area2 += x0 * y1 - x1 * y0
  }
  if (area2 === 0) fail(path, 'ring has zero area')
  return ring
}

function parsePolygon(v: unknown, path: string, budget: Budget): PolygonRings {
  const a = arrayAt(v, path, 1)
  return a.map((r, i) => parseRing(r, `${path}[${i}]`, budget))
}

function parseBbox(v: unknown, path: string): void {
  const a = arrayAt(v, path, 4)
  if (a.length !== 4 && a.length !== 6) fail(path, 'bbox has 4 or 6 numbers')
  a.forEach((n, i) => {
    if (typeof n !== 'number' || !Number.isFinite(n)) fail(`${path}[${i}]`, 'not a finite number')
  })
}

function parseGeometry(v: unknown, path: string): ZoneGeometry {
  if (!isObject(v)) fail(path, 'expected a GeoJSON geometry object')
  onlyKeys(v, ['type', 'coordinates', 'bbox'], path)
  if (v.bbox !== undefined) parseBbox(v.bbox, `${path}.bbox`)
  const budget: Budget = { left: MAX_ZONE_POSITIONS }
  const cpath = `${path}.coordinates`
  if (v.type === 'Polygon') {
    return { type: 'Polygon', coordinates: parsePolygon(v.coordinates, cpath, budget) }
  }
  if (v.type === 'MultiPolygon') {
    const a = arrayAt(v.coordinates, cpath, 1)
    return {
      type: 'MultiPolygon',
      coordinates: a.map((p, i) => parsePolygon(p, `${cpath}[${i}]`, budget)),
    }
  }
  return fail(`${path}.type`, 'expected "Polygon" or "MultiPolygon"')
}

function parseCountries(v: unknown, path: string): string[] {
  const a = arrayAt(v, path, 1)
  const seen = new Set<string>()
  return a.map((c, i) => {
    if (typeof c !== 'string' || !COUNTRY_RE.test(c)) {
      fail(`${path}[${i}]`, 'expected an ISO 3166-1 alpha-2 code (two upper-case letters)')
    }
    if (seen.has(c)) fail(`${path}[${i}]`, 'duplicate country')
    seen.add(c)
    return c
  })
}

/** Validate one zone; `path` prefixes the JSON path reported on failure. */
export function parseZone(input: unknown, path = '$'): Zone {
  if (!isObject(input)) fail(path, 'expected a zone object')
  onlyKeys(input, ['id', 'name', 'geometry', 'countries', 'jurisdiction'], path)
  const { id, name } = input
  if (typeof id !== 'string' || !ID_RE.test(id)) {
    fail(`${path}.id`, 'expected 1-128 characters of [A-Za-z0-9._:-], starting alphanumeric')
  }
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME) {
    fail(`${path}.name`, `expected a non-empty string of at most ${MAX_NAME} characters`)
  }
  const geometry = parseGeometry(input.geometry, `${path}.geometry`)
  const j = parseJurisdiction(input.jurisdiction, `${path}.jurisdiction`)
  const zone: Zone = j ? { id, name, geometry, jurisdiction: j } : { id, name, geometry }
  if (input.countries === undefined) return zone
  return { ...zone, countries: parseCountries(input.countries, `${path}.countries`) }
}

/** `eu`, `us`, `fedramp`; null or absent: no residency restriction. */
function parseJurisdiction(v: unknown, path: string): Jurisdiction | undefined {
  if (v === undefined || v === null) return undefined
  if (!JURISDICTIONS.includes(v as Jurisdiction)) fail(path, `expected one of ${JURISDICTIONS}`)
  return v as Jurisdiction
}

/** Validate a list of zones with unique ids. */
export function parseZones(input: unknown): Zone[] {
  const a = arrayAt(input, '$', 0)
  const seen = new Set<string>()
  return a.map((z, i) => {
    const zone = parseZone(z, `$[${i}]`)
    if (seen.has(zone.id)) fail(`$[${i}].id`, 'duplicate zone id')
    seen.add(zone.id)
    return zone
  })
}
