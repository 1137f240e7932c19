/**
 * The deploy path of the Wasm ECDSA kernel: `wrangler deploy --dry-run` bundles a scratch worker (outside the
 * repo's worker/) that imports the .wasm, with wrangler's default module rule, into a module
 * upload and not inline JavaScript.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const scratch = mkdtempSync(path.join(tmpdir(), 'aegis-ecdsa-wasm-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('deploy bundle with the kernel', () => {
  it('wrangler deploy --dry-run ships ecdsa.wasm as a Wasm module', () => {
    const out = path.join(scratch, 'out')
    writeFileSync(
      path.join(scratch, 'entry.ts'),
      [
        `import mod from ${JSON.stringify(path.join(ROOT, 'wasm/build/ecdsa.wasm'))}`,
        `import { createWasmEcdsaBackend } from ${JSON.stringify(path.join(ROOT, 'attest/crypto/ecdsa-wasm.ts'))}`,
        'export default {',
        '  fetch() {',
        '    return new Response(createWasmEcdsaBackend(mod).name)',
        '  },',
        '}',
        '',
      ].join('\n'),
    )
    writeFileSync(
      path.join(scratch, 'wrangler.toml'),
      'name = "aegis-ecdsa-wasm-check"\nmain = "entry.ts"\ncompatibility_date = "2025-09-01"\n',
    )
    const r = spawnSync(
      path.join(ROOT, 'node_modules/.bin/wrangler'),
      ['deploy', '--dry-run', '--outdir', out, '--config', path.join(scratch, 'wrangler.toml')],
      {
        cwd: ROOT,
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
        encoding: 'utf8',
        timeout: 120_000,
      },
    )
    expect(r.status, r.stderr + r.stdout).toBe(0)
    const files = readdirSync(out)
    const wasm = files.find((f) => f.endsWith('-ecdsa.wasm'))
    expect(wasm, files.join(',')).toBeDefined()
    expect(readFileSync(path.join(out, wasm!))).toEqual(
      readFileSync(path.join(ROOT, 'wasm/build/ecdsa.wasm')),
    )
    // The entry imports the module by name rather than embedding it.
    expect(readFileSync(path.join(out, 'entry.js'), 'utf8')).toContain(wasm!)
  }, 150_000)
})
