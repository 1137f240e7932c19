// The config loader keeps a zone's parsed geometry object (and so the edge index the geofence
// check built for it, attest/geofence/edge-index.ts) while the zone's stored text is unchanged.
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { edgeIndexOf } from '../../../attest/geofence/edge-index.ts'
import { parseZone } from '../../../attest/geofence/parse-zone.ts'
import type { Position } from '../../../attest/geofence/types.ts'
import {
  invalidateConfigCache,
  loadConfig,
  writeZone,
} from '../../../worker/config/settings-store.ts'
import { resetState } from '../helpers/reset.ts'

function ring(n: number, lon: number): Position[] {
  const r: Position[] = []
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n
    r.push([lon + 0.1 * Math.cos(a), 50 + 0.1 * Math.sin(a)])
  }
  r.push(r[0]!)
  return r
}

const zone = (id: string, lon: number) =>
  parseZone({ id, name: id, geometry: { type: 'Polygon', coordinates: [ring(1000, lon)] } })

describe('zone geometries across config reloads', () => {
  beforeEach(() => resetState())

  it('keeps an unchanged geometry object and its index; a changed zone gets a new one', async () => {
    await writeZone(env, zone('a', 8))
    await writeZone(env, zone('b', 9))
    const first = (await loadConfig(env)).zones
    const a1 = first.get('a')!.geometry
    const b1 = first.get('b')!.geometry
    const ix = edgeIndexOf(a1)
    expect(ix?.edges).toBe(1000)

    invalidateConfigCache()
    const second = (await loadConfig(env)).zones
    expect(second).not.toBe(first)
    expect(second.get('a')!.geometry).toBe(a1)
    expect(edgeIndexOf(second.get('a')!.geometry)).toBe(ix)

    await writeZone(env, zone('b', 10))
    const third = (await loadConfig(env)).zones
    expect(third.get('a')!.geometry).toBe(a1)
    expect(third.get('b')!.geometry).not.toBe(b1)
    expect(third.get('b')!.geometry.coordinates[0]).toEqual(zone('b', 10).geometry.coordinates[0])
  })
})
