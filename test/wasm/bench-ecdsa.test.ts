// The ECDSA benchmark cases (bench/cases/ecdsa.ts) load the Wasm kernel inside workerd and verify
// what they time: every case's run returns true for its fixture.
import { describe, expect, it } from 'vitest'
import { cases } from '../../bench/cases/ecdsa.ts'

describe('bench/cases/ecdsa.ts', () => {
  it('exports the ten named cases', () => {
    expect(cases.map((c) => c.name)).toEqual([
      'ecdsa.p256.wasm',
      'ecdsa.p256.wasm-uncached',
      'ecdsa.p256.wasm-fleet',
      'ecdsa.p256.noble',
      'ecdsa.p256.webcrypto',
      'ecdsa.p384.wasm',
      'ecdsa.p384.wasm-uncached',
      'ecdsa.p384.wasm-fleet',
      'ecdsa.p384.noble',
      'ecdsa.p384.webcrypto',
    ])
  })

  it.each(cases.map((c) => [c.name, c] as const))('%s verifies its fixture', async (_, c) => {
    const ctx = await c.setup()
    expect(await c.run(ctx)).toBe(true)
    expect(await c.run(ctx)).toBe(true)
  })

  it('the wasm cases really use the Wasm backend', async () => {
    for (const c of cases.filter((c) => /\.wasm(-uncached)?$/.test(c.name))) {
      const ctx = await c.setup()
      expect(ctx.backend.name).toBe('wasm')
    }
  })
})
