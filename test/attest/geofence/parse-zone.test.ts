import { describe, expect, it } from 'vitest'
import { AegisError } from '../../../attest/errors.ts'
import { MAX_ZONE_POSITIONS, parseZone, parseZones } from '../../../attest/geofence/parse-zone.ts'
import { square } from './fixtures.ts'

function polygon(rings: unknown): unknown {
  return { id: 'z1', name: 'Zone 1', geometry: { type: 'Polygon', coordinates: rings } }
}

/** The JSON path a rejection points at; fails the test if it does not throw ERR_GEO_INVALID_ZONE. */
function rejectPath(input: unknown, many = false): string {
  try {
    if (many) parseZones(input)
    else parseZone(input)
  } catch (e) {
    expect(e).toBeInstanceOf(AegisError)
    expect((e as AegisError).code).toBe('ERR_GEO_INVALID_ZONE')
    return (e as AegisError).detail!.path as string
  }
  throw new Error('expected a rejection')
}

describe('parseZone', () => {
  it('accepts a Polygon with a hole and returns [lon, lat] copies', () => {
    const outer = square(8.6, 50, 0.1).map((p) => [...p])
    const z = parseZone({
      ...(polygon([outer, square(8.64, 50.04, 0.02)]) as object),
      countries: ['DE', 'FR'],
    })
    expect(z.id).toBe('z1')
    expect(z.geometry.type).toBe('Polygon')
    expect(z.geometry.coordinates).toHaveLength(2)
    expect(z.countries).toEqual(['DE', 'FR'])
    outer[1]![0] = 99
    expect(z.geometry.coordinates[0]![1]).toEqual([8.7, 50])
  })

  it('accepts a MultiPolygon, drops altitudes and ignores a valid bbox', () => {
    const ring3d = square(0, 0, 1).map(([x, y]) => [x, y, 120])
    const z = parseZone({
      id: 'm',
      name: 'M',
      geometry: {
        type: 'MultiPolygon',
        bbox: [0, 0, 3, 3],
        coordinates: [[ring3d], [square(2, 2, 1)]],
      },
    })
    expect(z.geometry.type).toBe('MultiPolygon')
    expect(z.geometry.coordinates[0]![0]![0]).toEqual([0, 0])
    expect('bbox' in z.geometry).toBe(false)
    expect(z.countries).toBeUndefined()
  })

  it('accepts rings touching the antimeridian and the poles of the coordinate range', () => {
    expect(() => parseZone(polygon([square(179, 89, 1)]))).not.toThrow()
    expect(() => parseZone(polygon([square(-180, -90, 1)]))).not.toThrow()
  })

  it('rejects rings that are not closed', () => {
    const ring = square(0, 0, 1)
    ring[4] = [0, 0.5]
    expect(rejectPath(polygon([ring]))).toBe('$.geometry.coordinates[0]')
    const r3 = [
      [0, 0, 1],
      [1, 0],
      [1, 1],
      [0, 0, 2],
    ]
    expect(rejectPath(polygon([r3]))).toBe('$.geometry.coordinates[0]')
  })

  it('rejects rings with fewer than four positions', () => {
    const tri = [
      [0, 0],
      [1, 0],
      [0, 0],
    ]
    expect(rejectPath(polygon([square(0, 0, 1), tri]))).toBe('$.geometry.coordinates[1]')
  })

  it('rejects zero-area rings', () => {
    const flat = [
      [0, 0],
      [1, 0],
      [2, 0],
      [0, 0],
    ]
    expect(rejectPath(polygon([flat]))).toBe('$.geometry.coordinates[0]')
  })

  it('rejects coordinates out of range or not finite, with the path of the number', () => {
    const bad = (i: number, j: number, v: unknown) => {
      const ring: unknown[][] = square(0, 0, 1).map((p) => [...p])
      ring[i]![j] = v
      if (i === 0) ring[4]![j] = v
      return rejectPath(polygon([ring]))
    }
    expect(bad(2, 0, 180.0001)).toBe('$.geometry.coordinates[0][2][0]')
    expect(bad(2, 0, -181)).toBe('$.geometry.coordinates[0][2][0]')
    expect(bad(2, 1, 90.5)).toBe('$.geometry.coordinates[0][2][1]')
    expect(bad(2, 1, -91)).toBe('$.geometry.coordinates[0][2][1]')
    expect(bad(1, 1, Number.NaN)).toBe('$.geometry.coordinates[0][1][1]')
    expect(bad(1, 0, Number.POSITIVE_INFINITY)).toBe('$.geometry.coordinates[0][1][0]')
    expect(bad(3, 0, '0')).toBe('$.geometry.coordinates[0][3][0]')
    expect(bad(0, 0, null)).toBe('$.geometry.coordinates[0][0][0]')
  })

  it('rejects positions that are not 2 or 3 numbers', () => {
    const ring: unknown[] = square(0, 0, 1)
    ring[2] = [1, 1, 0, 0]
    expect(rejectPath(polygon([ring]))).toBe('$.geometry.coordinates[0][2]')
    ring[2] = [1]
    expect(rejectPath(polygon([ring]))).toBe('$.geometry.coordinates[0][2]')
    ring[2] = { lon: 1, lat: 1 }
    expect(rejectPath(polygon([ring]))).toBe('$.geometry.coordinates[0][2]')
  })

  it('rejects an edge spanning more than 180 degrees of longitude (antimeridian)', () => {
    const ring = [
      [179, 0],
      [-179, 0],
      [-179, 1],
      [179, 1],
      [179, 0],
    ]
    expect(rejectPath(polygon([ring]))).toBe('$.geometry.coordinates[0][1]')
  })

  it('rejects other geometry types, unknown members and empty coordinates', () => {
    const base = { id: 'z', name: 'Z' }
    expect(rejectPath({ ...base, geometry: { type: 'Point', coordinates: [0, 0] } })).toBe(
      '$.geometry.type',
    )
    expect(
      rejectPath({
        ...base,
        geometry: { type: 'Feature', geometry: { type: 'Polygon', coordinates: [] } },
      }),
    ).toBe('$.geometry.geometry')
    expect(rejectPath({ ...base, geometry: { type: 'Polygon', coordinates: [] } })).toBe(
      '$.geometry.coordinates',
    )
    expect(rejectPath({ ...base, geometry: { type: 'MultiPolygon', coordinates: [[]] } })).toBe(
      '$.geometry.coordinates[0]',
    )
    expect(rejectPath({ ...(polygon([square(0, 0, 1)]) as object), extra: 1 })).toBe('$.extra')
    expect(rejectPath({ ...base, geometry: null })).toBe('$.geometry')
    expect(
      rejectPath({
        ...base,
        geometry: { type: 'Polygon', coordinates: [square(0, 0, 1)], bbox: [0, 0, 1] },
      }),
    ).toBe('$.geometry.bbox')
  })

  it('rejects bad ids, names and country codes', () => {
    const ok = polygon([square(0, 0, 1)]) as Record<string, unknown>
    expect(rejectPath({ ...ok, id: '' })).toBe('$.id')
    expect(rejectPath({ ...ok, id: 'has space' })).toBe('$.id')
    expect(rejectPath({ ...ok, id: 7 })).toBe('$.id')
    expect(rejectPath({ ...ok, name: '' })).toBe('$.name')
    expect(rejectPath({ ...ok, countries: ['de'] })).toBe('$.countries[0]')
    expect(rejectPath({ ...ok, countries: ['DE', 'DEU'] })).toBe('$.countries[1]')
    expect(rejectPath({ ...ok, countries: ['DE', 'DE'] })).toBe('$.countries[1]')
    expect(rejectPath({ ...ok, countries: [] })).toBe('$.countries')
    expect(rejectPath(null)).toBe('$')
    expect(rejectPath([ok])).toBe('$')
  })

  it('bounds the number of positions in a zone', () => {
    const n = MAX_ZONE_POSITIONS + 1
    const ring: number[][] = []
    for (let i = 0; i < n - 1; i++) {
      const a = (2 * Math.PI * i) / (n - 1)
      ring.push([Math.cos(a), Math.sin(a)])
    }
    ring.push(ring[0]!)
    expect(rejectPath(polygon([ring]))).toBe('$.geometry.coordinates[0]')
    ring.splice(1, 1)
    expect(() => parseZone(polygon([ring]))).not.toThrow()
  })
})

describe('parseZones', () => {
  it('parses a list and reports paths inside it', () => {
    const a = polygon([square(0, 0, 1)]) as Record<string, unknown>
    expect(parseZones([a, { ...a, id: 'z2' }]).map((z) => z.id)).toEqual(['z1', 'z2'])
    expect(rejectPath([a, { ...a, name: 5 }], true)).toBe('$[1].name')
    expect(rejectPath([a, a], true)).toBe('$[1].id')
    expect(rejectPath({}, true)).toBe('$')
  })
})
