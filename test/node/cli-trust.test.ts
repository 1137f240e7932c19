/**
 * `aegis trust show|import` against a real collector (wrangler dev, local D1): vendor sets from
 * trust/tpm-vendors are added to what the operator had (or replace it), the config round-trips
 * through PUT/GET /v1/config/trust, and bad vendor names, missing or weak tokens are refused with
 * their codes without changing anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readVendorSet } from '../../agent/cli/vendor-trust.ts'
import { cli } from './helpers/cli.ts'
import { startCollector, type Collector } from './helpers/collector.ts'

describe('aegis trust show|import', () => {
  let collector: Collector
  let env: Record<string, string | undefined>
  const set = readVendorSet()
  const count = (vendors: string[], role: string) =>
    set.filter((c) => vendors.includes(c.vendor) && c.role === role).length

  const show = async () => {
    const r = await cli(['trust', 'show', '--collector', collector.url, '--json'], env)
    expect(r.code, r.err).toBe(0)
    return JSON.parse(r.out) as {
      roots: string[]
      intermediates: string[]
      version: number
    }
  }

  beforeAll(async () => {
    collector = await startCollector()
    env = { ...process.env, AEGIS_TOKEN: await collector.token('operator') }
  })
  afterAll(async () => {
    await collector?.stop()
  })

  it('adds the chosen vendors to the seeded config, keeping what was there', async () => {
    const before = await show()
    expect(before.roots.length).toBeGreaterThan(0)
    const dry = await cli(
      [
        'trust',
        'import',
        '--collector',
        collector.url,
        '--vendors',
        'infineon,stmicro',
        '--dry-run',
        '--json',
      ],
      env,
    )
    expect(dry.code, dry.err).toBe(0)
    expect((await show()).version).toBe(before.version)

    const r = await cli(
      ['trust', 'import', '--collector', collector.url, '--vendors', 'infineon,stmicro', '--json'],
      env,
    )
    expect(r.code, r.err).toBe(0)
    const after = await show()
    expect(after.version).toBe(before.version + 1)
    expect(after.roots.length).toBe(before.roots.length + count(['infineon', 'stmicro'], 'root'))
    expect(after.intermediates.length).toBe(
      before.intermediates.length + count(['infineon', 'stmicro'], 'intermediate'),
    )
    expect(after.roots).toEqual(expect.arrayContaining(before.roots))
    expect(JSON.parse(r.out)).toMatchObject({
      ok: true,
      roots: after.roots.length,
    })

    // Importing the same vendors again adds nothing.
    await cli(
      ['trust', 'import', '--collector', collector.url, '--vendors', 'stmicro', '--json'],
      env,
    )
    expect((await show()).roots.length).toBe(after.roots.length)

    const text = await cli(['trust', 'show', '--collector', collector.url], env)
    expect(text.out).toMatch(/root +stmicro +CN=GlobalSign Trusted Platform Module Root CA/)
    expect(text.out).toMatch(/intermediate +infineon +CN=Infineon OPTIGA\(TM\)/)
  })

  it('replaces the config with --replace', async () => {
    const r = await cli(
      [
        'trust',
        'import',
        '--collector',
        collector.url,
        '--vendors',
        'google',
        '--replace',
        '--json',
      ],
      env,
    )
    expect(r.code, r.err).toBe(0)
    const cfg = await show()
    expect(cfg.roots).toHaveLength(count(['google'], 'root'))
    expect(cfg.intermediates).toHaveLength(count(['google'], 'intermediate'))
  })

  it('refuses an unknown vendor, a missing token and a non-operator token, changing nothing', async () => {
    const before = await show()
    const bad = await cli(
      ['trust', 'import', '--collector', collector.url, '--vendors', 'stmicro,acme'],
      env,
    )
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/ERR_USAGE: unknown vendor 'acme'; known: alibaba, amd, google/)
    const noToken = await cli(['trust', 'show', '--collector', collector.url], {
      ...env,
      AEGIS_TOKEN: undefined,
    })
    expect(noToken.code).toBe(2)
    expect(noToken.err).toContain('ERR_USAGE')
    const viewer = { ...env, AEGIS_TOKEN: await collector.token('viewer') }
    const weak = await cli(
      ['trust', 'import', '--collector', collector.url, '--vendors', 'amd'],
      viewer,
    )
    expect(weak.code).toBe(1)
    expect(weak.err).toMatch(/ERR_AUTH_\w+/)
    expect((await show()).version).toBe(before.version)
  })
})
