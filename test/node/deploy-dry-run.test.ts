/**
 * The deploy path of docs/deploy.md, checked without an account: the production `[vars]` block of
 * the doc is applied to a copy of wrangler.toml (with a database_id as `wrangler d1 create`
 * prints one), the documented key script makes COLLECTOR_SIGNING_JWKS in its documented form, and
 * `wrangler deploy --dry-run` bundles the worker with every binding. Nothing in the result may
 * still carry a development value: not in the binding list wrangler prints, not in the bundle.
 * Runs the real wrangler; nothing is uploaded.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT, WRANGLER_BIN, wranglerEnv } from '../../bench/harness/wrangler-dev.ts'
import { readDevVars } from '../../scripts/dev-vars.mjs'

const DEV_VALUES = [
  'aegis.dev.local',
  '"aegis-dev"',
  '("aegis-dev")',
  '00000000-0000-0000-0000-000000000000',
]
const DATABASE_ID = '8d1bd0f3-6a4b-4cf8-9c7e-2f5a41c0e9b7' // the form `wrangler d1 create` prints

const dir = mkdtempSync(path.join(tmpdir(), 'aegis-dry-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The ```toml block after the production-vars marker of docs/deploy.md, unindented. */
function docVars(): string {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs/deploy.md'), 'utf8')
  const m = /<!-- production-vars[^>]*-->\s*```toml\n([\s\S]*?)```/.exec(doc)
  if (!m) throw new Error('docs/deploy.md has no production-vars toml block')
  return m[1]!.replace(/^ {3}/gm, '')
}

/** wrangler.toml as step 2 and 4 edit it; paths made absolute so the copy lives elsewhere. */
function productionConfig(vars: string): string {
  let t = readFileSync(path.join(REPO_ROOT, 'wrangler.toml'), 'utf8')
  const start = t.search(/^\[vars\]$/m)
  const end = t.slice(start + 1).search(/^\[/m) + start + 1
  expect(start).toBeGreaterThanOrEqual(0)
  t = t.slice(0, start) + vars + '\n' + t.slice(end)
  t = t.replace(/^database_id = ".*"$/m, `database_id = "${DATABASE_ID}"`)
  for (const key of ['main', 'directory', 'migrations_dir']) {
    t = t.replace(
      new RegExp(`^${key} = "([^"]+)"$`, 'm'),
      (_, p: string) => `${key} = "${path.join(REPO_ROOT, p)}"`,
    )
  }
  return t
}

describe('deploy path (docs/deploy.md) against wrangler deploy --dry-run', () => {
  it('the documented key script prints COLLECTOR_SIGNING_JWKS as a JWK set with one ES256 private key', () => {
    const out = execFileSync(
      process.execPath,
      [path.join(REPO_ROOT, 'scripts/collector-keys.mjs')],
      { encoding: 'utf8' },
    )
    const set = JSON.parse(out) as { keys: Record<string, string>[] }
    expect(set.keys).toHaveLength(1)
    expect(set.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })
    expect(Object.keys(set.keys[0]!).sort()).toEqual([
      'alg',
      'crv',
      'd',
      'kid',
      'kty',
      'use',
      'x',
      'y',
    ])
    expect(set.keys[0]!.kid).toMatch(/^collector-\d{4}-\d\d-\d\d$/)
  })

  it('bundles with the production values and no development value', () => {
    const vars = docVars()
    expect(vars).toMatch(/^ENVIRONMENT = "production"$/m)
    const config = path.join(dir, 'wrangler.toml')
    writeFileSync(config, productionConfig(vars))
    const out = path.join(dir, 'out')
    const r = spawnSync(WRANGLER_BIN, ['deploy', '--dry-run', '-c', config, '--outdir', out], {
      cwd: REPO_ROOT,
      env: wranglerEnv(),
      encoding: 'utf8',
      timeout: 120_000,
    })
    expect(r.status, r.stderr + r.stdout).toBe(0)
    const bundle = path.join(out, 'index.js')
    expect(existsSync(bundle)).toBe(true)
    expect(statSync(bundle).size).toBeGreaterThan(100_000)
    for (const b of [
      'AGENT_LEDGER',
      'PROVENANCE_LOG',
      'SYNC_QUEUE',
      'DEAD_LETTERS',
      'env.DB',
      'EVIDENCE',
    ]) {
      expect(r.stdout).toContain(b)
    }
    // every documented var reaches the binding list with the documented value
    // (wrangler shortens long values with an ellipsis)
    for (const [, k, v] of vars.matchAll(/^([A-Z_]+) = "(.*)"$/gm)) {
      const shown = new RegExp(`env\\.${k} \\("([^"]*?)(…|\\.\\.\\.)?"\\)`).exec(r.stdout)
      expect(shown, `${k} in the binding list`).not.toBeNull()
      if (shown![2])
        expect(v!.startsWith(shown![1]!) && shown![1]!.length >= 12, `${k}: ${shown![0]}`).toBe(
          true,
        )
      else expect(shown![1]).toBe(v)
    }
    const code = readFileSync(bundle, 'utf8')
    // The code names the development issuer once, to refuse it in production (worker/auth):
    // that definition is the only place the bundle may carry it.
    const bundleCode = code.replace('DEV_ISSUER = "aegis-dev"', 'DEV_ISSUER = <refused>')
    for (const dev of DEV_VALUES) {
      expect(r.stdout, `binding list carries ${dev}`).not.toContain(dev)
      expect(bundleCode.includes(dev), `bundle carries ${dev}`).toBe(false)
    }
    // nor any development key material, if this checkout has any
    const devVars = readDevVars()
    for (const name of ['COLLECTOR_SIGNING_JWKS', 'DEV_ADMIN_JWKS']) {
      for (const k of devVars[name]
        ? (JSON.parse(devVars[name]!) as { keys: { d: string }[] }).keys
        : []) {
        expect(code.includes(k.d)).toBe(false)
      }
    }
  }, 150_000)
})
