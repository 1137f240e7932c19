/**
 * The Node side of the Wasm ECDSA backend: loadWasmEcdsaBackend reads wasm/build/ecdsa.wasm and
 * verifies like the reference; unreadable files are ERR_IO and non-kernel modules ERR_CONFIG.
 * Also checks the deploy path: `wrangler deploy --dry-run` bundles a scratch worker (outside the
 * repo's worker/) that imports the .wasm, with wrangler's default module rule, into a module
 * upload and not inline JavaScript.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { p256, p384 } from '@noble/curves/nist.js'
import { afterAll, describe, expect, it } from 'vitest'
import { nobleEcdsaBackend } from '../../attest/crypto/ecdsa-noble.ts'
import { ECDSA_WASM_URL, loadWasmEcdsaBackend } from '../../agent/crypto/load-wasm.ts'
import { code } from '../helpers/error-code.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const scratch = mkdtempSync(path.join(tmpdir(), 'aegis-ecdsa-wasm-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('loadWasmEcdsaBackend', () => {
  const backend = loadWasmEcdsaBackend()

  it.each([
    ['P-256', p256, 32],
    ['P-384', p384, 48],
  ] as const)('%s: same answers as the noble backend', (curve, c, size) => {
    const secretKey = c.utils.randomSecretKey()
    const pub = c.getPublicKey(secretKey, false)
    const digest = crypto.getRandomValues(new Uint8Array(size))
    const sig = c.sign(digest, secretKey, { prehash: false, lowS: false })
    const x = pub.subarray(1, 1 + size)
    const y = pub.subarray(1 + size)
    const r = sig.subarray(0, size)
    const s = sig.subarray(size)
    const bad = digest.slice()
    bad[0]! ^= 0x80
    for (const [h, want] of [
      [digest, true],
      [bad, false],
    ] as const) {
      expect(backend.verify(curve, x, y, h, r, s)).toBe(want)
      expect(nobleEcdsaBackend.verify(curve, x, y, h, r, s)).toBe(want)
    }
    expect(code(() => backend.verify(curve, y, x, digest, r, s))).toBe('ERR_KEY_INVALID')
  })

  it('reads the built kernel by default', () => {
    expect(readFileSync(ECDSA_WASM_URL).subarray(0, 4)).toEqual(Buffer.from('\0asm'))
    expect(backend.name).toBe('wasm')
  })

  it('a missing file is ERR_IO', () => {
    expect(code(() => loadWasmEcdsaBackend({ path: path.join(scratch, 'nope.wasm') }))).toBe(
      'ERR_IO',
    )
  })

  it('a file that is not Wasm, or a module that is not the kernel, is ERR_CONFIG', () => {
    const text = path.join(scratch, 'text.wasm')
    writeFileSync(text, 'not wasm')
    expect(code(() => loadWasmEcdsaBackend({ path: text }))).toBe('ERR_CONFIG')
    const empty = path.join(scratch, 'empty.wasm')
    writeFileSync(empty, Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0))
    expect(code(() => loadWasmEcdsaBackend({ path: empty }))).toBe('ERR_CONFIG')
  })
})

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
    expect(readFileSync(path.join(out, wasm!))).toEqual(readFileSync(ECDSA_WASM_URL))
    // The entry imports the module by name rather than embedding it.
    expect(readFileSync(path.join(out, 'entry.js'), 'utf8')).toContain(wasm!)
  }, 150_000)
})
