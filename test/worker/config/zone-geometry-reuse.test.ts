// The config loader keeps a zone's parsed geometry object (and so the edge index the geofence
// check built for it, attest/geofence/edge-index.ts) while the zone's stored text is unchanged,
// and re-reads the zones only when their fingerprint (count, latest updated_at) changed.
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { edgeIndexOf } from '../../../attest/geofence/edge-index.ts'
import { parseZone } from '../../../attest/geofence/parse-zone.ts'
import type { Position } from '../../../attest/geofence/types.ts'
import {
  expireConfigCache,
  invalidateConfigCache,
  loadConfig,
  writeZone,
} from '../../../worker/config/settings-store.ts'
import { deleteZoneRow, selectZonesFingerprint, upsertZone } from '../../../worker/store/zones.ts'
import { countingDb } from '../helpers/counting-db.ts'
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

  it('a reload with unchanged zones reads no zone; a write by another isolate is seen at the next', async () => {
    await writeZone(env, zone('a', 8))
    const { db, ran } = countingDb(env.DB)
    const counted = { ...env, DB: db }
    const first = (await loadConfig(counted)).zones
    expect(ran.some((r) => r.sql.includes('geometry'))).toBe(true)
    ran.length = 0
    expireConfigCache()
    const again = (await loadConfig(counted)).zones
    expect(again).toBe(first)
    expect(ran.map((r) => r.sql)).not.toContainEqual(expect.stringContaining('geometry'))
    // Another isolate writes (this one's cache is not invalidated): the next reload sees it.
    await upsertZone(env.DB, zone('b', 9), Date.now())
    expireConfigCache()
    const after = (await loadConfig(counted)).zones
    expect([...after.keys()].sort()).toEqual(expect.arrayContaining(['a', 'b']))
    expect(after.get('a')!.geometry).toBe(first.get('a')!.geometry)
    // ... and a delete there too.
    await deleteZoneRow(env.DB, 'b')
    expireConfigCache()
    expect((await loadConfig(counted)).zones.has('b')).toBe(false)
  })

  it('every write changes the fingerprint, two in one millisecond included; its read uses the index', async () => {
    const fingerprint = async () =>
      (await selectZonesFingerprint(env.DB).first<{ fingerprint: string }>())!.fingerprint
    const seen = [await fingerprint()]
    const at = Date.UTC(2026, 11, 5)
    for (const z of [zone('a', 8), zone('a', 8.5), zone('b', 9), zone('a', 8)]) {
      await upsertZone(env.DB, z, at)
      seen.push(await fingerprint())
    }
    await deleteZoneRow(env.DB, 'a')
    seen.push(await fingerprint())
    expect(new Set(seen).size).toBe(seen.length)
    const plan = await env.DB.prepare(
      "EXPLAIN QUERY PLAN SELECT count(*) || ':' || coalesce(max(updated_at), 0) FROM zones",
    ).all<{ detail: string }>()
    expect(plan.results.map((r) => r.detail).join(' ')).toContain('zones_updated')
  })
})
