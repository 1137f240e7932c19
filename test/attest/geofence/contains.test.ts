import { describe, expect, it } from 'vitest'
import { containsPoint, locatePoint } from '../../../attest/geofence/contains.ts'
import { parseZone } from '../../../attest/geofence/parse-zone.ts'
import { MULTI, SQUARE, WITH_HOLE } from './fixtures.ts'

const at = (lon: number, lat: number) => ({ lon, lat })

describe('locatePoint', () => {
  it('square: inside, outside, on edges and vertices', () => {
    const g = SQUARE.geometry
    expect(locatePoint(g, at(8.65, 50.05))).toBe('inside')
    expect(locatePoint(g, at(8.5, 50.05))).toBe('outside')
    expect(locatePoint(g, at(8.65, 50.2))).toBe('outside')
    expect(locatePoint(g, at(8.75, 50.05))).toBe('outside')
    expect(locatePoint(g, at(8.6, 50.05))).toBe('boundary')
    expect(locatePoint(g, at(8.65, 50.0))).toBe('boundary')
    expect(locatePoint(g, at(8.7, 50.1))).toBe('boundary')
    expect(locatePoint(g, at(8.6, 50.0))).toBe('boundary')
    // Just off an edge on either side.
    expect(locatePoint(g, at(8.6 + 1e-7, 50.05))).toBe('inside')
    expect(locatePoint(g, at(8.6 - 1e-7, 50.05))).toBe('outside')
  })

  it('polygon with a hole: the hole is outside, its edge is boundary', () => {
    const g = WITH_HOLE.geometry
    expect(locatePoint(g, at(8.62, 50.02))).toBe('inside')
    expect(locatePoint(g, at(8.65, 50.05))).toBe('outside')
    expect(locatePoint(g, at(8.64, 50.05))).toBe('boundary')
    expect(locatePoint(g, at(8.65, 50.06))).toBe('boundary')
    expect(locatePoint(g, at(8.639, 50.05))).toBe('inside')
    expect(containsPoint(g, at(8.65, 50.05))).toBe(false)
    expect(containsPoint(g, at(8.64, 50.05))).toBe(true)
  })

  it('MultiPolygon: either part contains, the gap does not', () => {
    const g = MULTI.geometry
    expect(locatePoint(g, at(8.65, 50.05))).toBe('inside')
    expect(locatePoint(g, at(13.4, 52.5))).toBe('inside')
    expect(locatePoint(g, at(11, 51))).toBe('outside')
    expect(locatePoint(g, at(13.5, 52.5))).toBe('boundary')
  })

  it('concave polygon and rays through vertices', () => {
    // A "U": the notch 1..2 x 1..3 is outside.
    const u = parseZone({
      id: 'u',
      name: 'U',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [3, 0],
            [3, 3],
            [2, 3],
            [2, 1],
            [1, 1],
            [1, 3],
            [0, 3],
            [0, 0],
          ],
        ],
      },
    }).geometry
    expect(locatePoint(u, at(0.5, 2))).toBe('inside')
    expect(locatePoint(u, at(2.5, 2))).toBe('inside')
    expect(locatePoint(u, at(1.5, 2))).toBe('outside')
    expect(locatePoint(u, at(1.5, 0.5))).toBe('inside')
    // Horizontal ray at lat 1 runs along the notch floor and through two vertices.
    expect(locatePoint(u, at(0.5, 1))).toBe('inside')
    expect(locatePoint(u, at(-0.5, 1))).toBe('outside')
    // Ray at lat 3 touches the tops of both arms.
    expect(locatePoint(u, at(1.5, 3))).toBe('outside')
    expect(locatePoint(u, at(-1, 3))).toBe('outside')
    // A diamond: rays through its left and right vertices.
    const d = parseZone({
      id: 'd',
      name: 'D',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [0, -1],
            [1, 0],
            [0, 1],
            [-1, 0],
            [0, -1],
          ],
        ],
      },
    }).geometry
    expect(locatePoint(d, at(0, 0))).toBe('inside')
    expect(locatePoint(d, at(-2, 0))).toBe('outside')
    expect(locatePoint(d, at(2, 0))).toBe('outside')
    expect(locatePoint(d, at(0.5, 0.5))).toBe('boundary')
  })

  it('even-odd across rings: a ring inside a hole counts as inside again', () => {
    const g = parseZone({
      id: 'nest',
      name: 'Nested',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [10, 0],
            [10, 10],
            [0, 10],
            [0, 0],
          ],
          [
            [2, 2],
            [2, 8],
            [8, 8],
            [8, 2],
            [2, 2],
          ],
          [
            [4, 4],
            [6, 4],
            [6, 6],
            [4, 6],
            [4, 4],
          ],
        ],
      },
    }).geometry
    expect(locatePoint(g, at(1, 1))).toBe('inside')
    expect(locatePoint(g, at(3, 3))).toBe('outside')
    expect(locatePoint(g, at(5, 5))).toBe('inside')
  })
})
