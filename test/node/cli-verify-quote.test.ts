/**
 * `aegis verify quote` on the tpm2-tools vectors (shared/vectors/tpm2-tools, swtpm 0.7.1 +
 * tpm2-tools 5.4): exit codes (0 valid, 1 invalid evidence, 2 usage/unreadable input) and the JSON
 * it prints with --json. Tampered inputs are written to a temp dir.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { marshalTpm2ToolsPcrFile } from '../../attest/tpm/marshal-pcr-file.ts'
import { parseTpm2ToolsPcrFile } from '../../attest/tpm/pcr-file.ts'
import { cli } from './helpers/cli.ts'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')
const V = path.resolve(
  process.env.AEGIS_SHARED ?? path.join(root, '../shared'),
  'vectors/tpm2-tools',
)
const dir = mkdtempSync(path.join(tmpdir(), 'aegis-cli-quote-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const v = (f: string) => path.join(V, f)
const nonce = (k: string) => readFileSync(v(`quote-${k}.nonce.hex`), 'utf8').trim()

const aegis = (argv: string[]) => cli(argv, {})

function quoteArgs(k: 'ecc' | 'rsa', over: Record<string, string> = {}): string[] {
  const flags: Record<string, string> = {
    ak: v(`ak-${k}.pub`),
    attest: v(`quote-${k}.attest`),
    sig: v(`quote-${k}.sig`),
    nonce: nonce(k),
    pcrs: v(`quote-${k}.pcrs`),
    ...over,
  }
  return ['verify', 'quote', ...Object.entries(flags).flatMap(([f, x]) => [`--${f}`, x])]
}

function tamper(name: string, bytes: Uint8Array): string {
  const f = path.join(dir, name)
  writeFileSync(f, bytes)
  return f
}

describe('aegis verify quote', () => {
  for (const k of ['ecc', 'rsa'] as const) {
    it(`accepts the ${k} quote: exit 0 and the JSON report`, async () => {
      const r = await aegis([...quoteArgs(k, { ek: v('ek-rsa.pub') }), '--json'])
      expect(r.code).toBe(0)
      expect(r.stderr).toBe('')
      const j = JSON.parse(r.stdout)
      expect(j.ok).toBe(true)
      expect(j.signer).toBe(
        Buffer.from(readFileSync(v(`quote-${k}.attest`)).subarray(8, 42)).toString('hex'),
      )
      expect(j.extraData).toBe(nonce(k))
      expect(j.clock).toMatchObject({ resetCount: 2, restartCount: 0, safe: true })
      expect(j.clock.clock).toMatch(/^\d+$/)
      expect(j.firmwareVersion).toBe('2019102300163636')
      expect(j.signature).toEqual({ alg: k === 'ecc' ? 'ecdsa' : 'rsassa', hash: 'sha256' })
      expect(j.selection).toEqual([{ hash: 'sha256', pcrs: [0, 1, 2, 3, 4, 5, 6, 7, 15] }])
      expect(Object.keys(j.pcrs.sha256)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '15'])
      expect(j.pcrs.sha256['15']).toBe(
        '93ab9aa83e6d857ff8c00bbeebb3a44e3d43f3f79b8125369b6baec7c65a60a5',
      )
      expect(r.stdout.trim().split('\n')).toHaveLength(1)
    })
  }

  it('prints a readable report without --json, and works without --pcrs', async () => {
    const args = quoteArgs('ecc').slice(0, -2)
    expect(args).not.toContain('--pcrs')
    const r = await aegis(args)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^quote OK\n/)
    expect(r.stdout).toContain('signature   ecdsa sha256')
    expect(r.stdout).not.toContain('sha256[15]')
  })

  it('exit 1 with the code for invalid evidence', async () => {
    const cases: Array<[string[], string]> = [
      [quoteArgs('ecc', { nonce: '00'.repeat(32) }), 'ERR_QUOTE_NONCE'],
      [quoteArgs('ecc', { ek: v('ek-ecc.pub') }), 'ERR_QUOTE_SIGNER'],
      [quoteArgs('ecc', { ak: v('ak-rsa.pub') }), 'ERR_SIG_SCHEME_MISMATCH'],
      [quoteArgs('rsa', { attest: v('quote-ecc.attest') }), 'ERR_QUOTE_NONCE'],
      [quoteArgs('ecc', { attest: v('certify-ecc.attest') }), 'ERR_ATTEST_TYPE'],
      [quoteArgs('ecc', { ak: v('ek-rsa.pub') }), 'ERR_AK_ATTRIBUTES'],
      [quoteArgs('ecc', { ak: v('ak-ecc.name') }), 'ERR_TPM_TRAILING_BYTES'],
      [quoteArgs('ecc', { pcrs: v('quote-ecc.sig') }), 'ERR_TPM_MALFORMED'],
    ]
    const a = new Uint8Array(readFileSync(v('quote-ecc.attest')))
    a[80]! ^= 1
    cases.push([quoteArgs('ecc', { attest: tamper('flipped.attest', a) }), 'ERR_QUOTE_SIGNATURE'])
    const s = readFileSync(v('quote-rsa.sig'))
    cases.push([
      quoteArgs('rsa', { sig: tamper('short.sig', s.subarray(0, s.length - 1)) }),
      'ERR_TPM_MALFORMED',
    ])
    const pf = parseTpm2ToolsPcrFile(new Uint8Array(readFileSync(v('quote-ecc.pcrs'))))
    pf.values.sha256![15] = new Uint8Array(32).fill(0xee)
    cases.push([
      quoteArgs('ecc', { pcrs: tamper('changed.pcrs', marshalTpm2ToolsPcrFile(pf)) }),
      'ERR_PCR_DIGEST',
    ])
    for (const [argv, code] of cases) {
      const r = await aegis([...argv, '--json'])
      expect(r.code, code).toBe(1)
      const j = JSON.parse(r.stdout)
      expect(j).toMatchObject({ ok: false, code })
      expect(typeof j.message).toBe('string')
    }
  })

  it('exit 1 without --json reports on stderr only', async () => {
    const r = await aegis(quoteArgs('ecc', { nonce: '11'.repeat(32) }))
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('ERR_QUOTE_NONCE')
  })

  it('exit 2 for usage errors and unreadable files', async () => {
    const cases: Array<[string[], string]> = [
      [quoteArgs('ecc', { ak: path.join(dir, 'missing.pub') }), 'ERR_IO'],
      [quoteArgs('ecc', { nonce: 'xyz' }), 'ERR_USAGE'],
      [
        quoteArgs('ecc').filter((x, i, all) => x !== '--sig' && all[i - 1] !== '--sig'),
        'ERR_USAGE',
      ],
      [[...quoteArgs('ecc'), '--bogus'], 'ERR_USAGE'],
      [[...quoteArgs('ecc'), 'stray'], 'ERR_USAGE'],
    ]
    for (const [argv, code] of cases) {
      const r = await aegis([...argv, '--json'])
      expect(r.code, code).toBe(2)
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code })
    }
  })

  it('is registered in the launcher: real process exit codes', () => {
    const bin = path.join(root, 'agent/cli/bin.mjs')
    const ok = spawnSync(process.execPath, [bin, ...quoteArgs('rsa'), '--json'], {
      encoding: 'utf8',
    })
    expect(ok.status).toBe(0)
    expect(JSON.parse(ok.stdout).ok).toBe(true)
    const bad = spawnSync(process.execPath, [bin, ...quoteArgs('rsa', { nonce: '00' }), '--json'], {
      encoding: 'utf8',
    })
    expect(bad.status).toBe(1)
    expect(JSON.parse(bad.stdout).code).toBe('ERR_QUOTE_NONCE')
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' })
    expect(help.stdout).toContain('aegis verify quote')
  })
})
