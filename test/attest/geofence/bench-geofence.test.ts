// The geofence benchmark cases (bench/cases/geofence.ts) run inside workerd and check what they time.
import { describe, expect, it } from 'vitest'
import { MAX_ZONE_POSITIONS } from '../../../attest/geofence/parse-zone.ts'
import { cases } from '../../../bench/cases/geofence.ts'

describe('bench/cases/geofence.ts', () => {
  it('checks fixes in a 100,000-position zone, scans them, and builds its index', async () => {
    expect(cases.map((c) => c.name)).toEqual([
      'geofence.check-fix',
      'geofence.scan',
      'geofence.index-build',
    ])
    const [check, scan, build] = cases
    const ctx = await check!.setup()
    // Every fix of the walk is admitted by the zone (indexed path).
    for (let k = 0; k < 64; k++) expect(await check!.run(ctx)).toBe('big')
    const sctx = await scan!.setup()
    // The scans see each fix inside and at least the accuracy radius from the boundary.
    for (let k = 0; k < 3; k++) expect(await scan!.run(sctx)).toBeGreaterThanOrEqual(20)
    expect(await build!.run(await build!.setup())).toBe(MAX_ZONE_POSITIONS - 1)
  })
})
