/**
 * The device bundle (`npm run build:agent` -> aegis-agent.mjs, built here into a temp dir from the
 * current sources): it loads nothing but `node:` built-ins (read from its syntax tree), and it
 * behaves exactly like the CLI run from source: each case runs through main() in-process (the
 * source, through tsx's loader in vitest) and as `node aegis-agent.mjs`, on this Node and on the
 * system's Node 20 when there is one, and both must give the same exit code, stdout and stderr,
 * besides the exit code the case expects. The swtpm / wrangler dev commands run as the bundle in
 * agent-device-swtpm.test.ts.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deviceArgv, DEFAULT_CONFIG } from '../../agent/cli/device-argv.ts'
import {
  buildAgent,
  gitDescribe,
  moduleRequests,
  REPO,
  run,
  type AgentBuild,
} from './helpers/agent-build.ts'
import { cli } from './helpers/cli.ts'

const V = path.resolve(
  process.env.AEGIS_SHARED ?? path.join(REPO, '../shared'),
  'vectors/tpm2-tools',
)
const v = (f: string) => path.join(V, f)
const nonce = (k: string) => readFileSync(v(`quote-${k}.nonce.hex`), 'utf8').trim()
const scratch = mkdtempSync(path.join(tmpdir(), 'aegis-bundle-cases-'))
const flipped = path.join(scratch, 'quote-ecc.sig')
const pkgVersion = (
  JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }
).version

// Other Node majors to run the agent bundle on (it supports >= 20): the system's, if not ours.
const SYSTEM_NODE = '/usr/bin/node'
const systemNode = (() => {
  const r = spawnSync(SYSTEM_NODE, ['--version'], { encoding: 'utf8' })
  return r.status === 0 && r.stdout.split('.')[0] !== process.version.split('.')[0]
    ? r.stdout.trim()
    : null
})()

const quote = (k: string, over: Record<string, string> = {}) => {
  const f: Record<string, string> = {
    ak: v(`ak-${k}.pub`),
    attest: v(`quote-${k}.attest`),
    sig: v(`quote-${k}.sig`),
    nonce: nonce(k),
    pcrs: v(`quote-${k}.pcrs`),
    ...over,
  }
  return ['verify', 'quote', ...Object.entries(f).flatMap(([n, x]) => [`--${n}`, x])]
}
const ekCert = (
  k: string,
  ekPub = k,
  chain = ['--intermediates', v('manufacturer-intermediate.pem')],
) => [
  'verify',
  'ek-cert',
  '--cert',
  v(`ek-${k}-cert.der`),
  '--roots',
  v('manufacturer-root.pem'),
  ...chain,
  '--ek-pub',
  v(`ek-${ekPub}.pub`),
  '--at',
  '2030-01-01T00:00:00Z',
]

// [name, argv, expected exit code]
const CASES: [string, string[], number][] = [
  ['verify quote ecc --json', [...quote('ecc'), '--json'], 0],
  ['verify quote rsa, text report', quote('rsa'), 0],
  ['verify quote, wrong nonce', [...quote('ecc', { nonce: '00'.repeat(32) }), '--json'], 1],
  ['verify quote, flipped signature byte', [...quote('ecc', { sig: flipped }), '--json'], 1],
  ['verify quote, missing --nonce', ['verify', 'quote', '--ak', v('ak-ecc.pub')], 2],
  ['verify ek-cert rsa --json', [...ekCert('rsa'), '--json'], 0],
  ['verify ek-cert ecc, text report', ekCert('ecc'), 0],
  ['verify ek-cert, no path to the root', [...ekCert('rsa', 'rsa', []), '--json'], 1],
  ['verify ek-cert, certificate of another EK', [...ekCert('rsa', 'ecc'), '--json'], 1],
  [
    'agent status of an empty directory --json',
    ['agent', 'status', '--state', scratch, '--json'],
    0,
  ],
  ['unknown command', ['frobnicate'], 2],
  ['help', ['--help'], 0],
]

describe('the device bundle aegis-agent.mjs', () => {
  let b: AgentBuild
  beforeAll(() => {
    const sig = new Uint8Array(readFileSync(v('quote-ecc.sig')))
    sig[sig.length - 1]! ^= 1
    writeFileSync(flipped, sig)
    b = buildAgent(['--bundle-only'])
  }, 120_000)
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true })
    if (b) rmSync(b.dir, { recursive: true, force: true })
  })

  it('loads only node: built-ins, by static import and nothing else', () => {
    const requests = moduleRequests(b.mjs)
    expect(requests.length).toBeGreaterThan(0)
    expect(requests.filter((m) => !m.startsWith('node:'))).toEqual([])
    // The source's lazy per-command import()s are inlined, not left as chunks to load.
    expect(
      moduleRequests(path.join(REPO, 'agent/cli/main.ts')).filter((m) =>
        m.startsWith('./commands/'),
      ).length,
    ).toBeGreaterThan(5)
    expect(readFileSync(b.mjs, 'utf8')).not.toMatch(/\bimport\(/)
  })

  it('names its version and commit, fixed at build time', async () => {
    const r = await run(process.execPath, [b.mjs, '--version'])
    expect(r.code).toBe(0)
    expect(b.info).toMatchObject({ version: pkgVersion, commit: gitDescribe() })
    expect(r.out).toBe(
      `aegis-agent ${pkgVersion} (commit ${gitDescribe()}, bundle; node ${process.version} linux-${process.arch})\n`,
    )
  })

  for (const [name, argv, want] of CASES) {
    it(`${name}: exit ${want}, same output as the source CLI`, async () => {
      const src = await cli(argv, {})
      const bundled = await run(process.execPath, [b.mjs, ...argv])
      expect(src.code, src.err).toBe(want)
      expect({ code: bundled.code, out: bundled.out, err: bundled.err }).toEqual({
        code: src.code,
        out: src.out,
        err: src.err,
      })
    })
  }

  it.skipIf(!systemNode)(
    `runs on the system Node (${systemNode ?? 'none'}) as on this one`,
    async () => {
      for (const [, argv, want] of CASES) {
        const here = await run(process.execPath, [b.mjs, ...argv])
        const there = await run(SYSTEM_NODE, [b.mjs, ...argv])
        expect(there.code).toBe(want)
        expect(there).toEqual(here)
      }
    },
  )

  it('leaves out the development-only aegis token: ERR_USAGE, exit 2', async () => {
    const r = await run(process.execPath, [b.mjs, 'token', '--role', 'operator'])
    expect(r.code).toBe(2)
    expect(r.out).toBe('')
    expect(r.err).toMatch(/ERR_USAGE: aegis token is a development command/)
    expect(readFileSync(b.mjs, 'utf8')).not.toContain('DEV_ADMIN_JWKS')
  })

  it('takes the agent commands without their group; a bare status reads the packaged config', async () => {
    const r = await run(process.execPath, [b.mjs, 'status', '--state', scratch, '--json'])
    expect(r.code, r.err).toBe(0)
    expect(JSON.parse(r.out)).toMatchObject({ enrolled: false, running: false, spoolDepth: 0 })
    expect(deviceArgv(['status'], {})).toEqual(['agent', 'status', '--config', DEFAULT_CONFIG])
    expect(deviceArgv(['run'], {})).toEqual(['agent', 'run', '--config', DEFAULT_CONFIG])
    expect(deviceArgv(['agent', 'status', '--json'], {})).toEqual([
      'agent',
      'status',
      '--json',
      '--config',
      DEFAULT_CONFIG,
    ])
    expect(deviceArgv(['status', '--state=/s'], {})).toEqual(['agent', 'status', '--state=/s'])
    expect(deviceArgv(['status'], { AEGIS_STATE_DIR: '/s' })).toEqual(['agent', 'status'])
    expect(deviceArgv(['send', '--count', '2'], {})).toEqual(['agent', 'send', '--count', '2'])
    expect(deviceArgv(['verify', 'quote'], {})).toEqual(['verify', 'quote'])
  })
})
