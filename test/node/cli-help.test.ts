/**
 * The CLI framework: every registered command answers --help and -h with its usage, every flag it
 * parses described, and an example; usage errors are exit 2 with human text on stderr and JSON on
 * stdout only with --json; listings, --version, collector URL and TPM TCTI validation. Runs the
 * same main() the bin launcher calls; no collector or TPM is needed (the one TPM open below is
 * refused by a closed port, which is what proves TPM2TOOLS_TCTI was read).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseCollectorUrl, resolveTarget } from '../../agent/cli/collector-target.ts'
import { COMMANDS } from '../../agent/cli/main.ts'
import { cli } from './helpers/cli.ts'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')
const dir = mkdtempSync(path.join(tmpdir(), 'aegis-cli-help-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const aegis = (argv: string[], env: Record<string, string | undefined> = {}) => cli(argv, env)

describe('aegis <command> --help', () => {
  for (const key of Object.keys(COMMANDS)) {
    it(`${key}: usage, every flag, an example; -h is the same`, async () => {
      const words = key.split(' ')
      const r = await aegis([...words, '--help'])
      expect([r.code, r.stderr]).toEqual([0, ''])
      expect(r.stdout.startsWith(`usage: aegis ${key}`)).toBe(true)
      expect(r.stdout).toMatch(/\noptions:\n/)
      expect(r.stdout).toMatch(/\nexample:\n {2}.*aegis /)
      const mod = await COMMANDS[key]!.load()
      for (const flag of Object.keys(mod.flags ?? {})) {
        expect(r.stdout, `--${flag} described`).toMatch(new RegExp(`\\n {2}--${flag}\\b`))
      }
      expect((await aegis([...words, '-h'])).stdout).toBe(r.stdout)
      // help wins over other arguments, even bad ones
      expect((await aegis([...words, '--bogus', '--help'])).code).toBe(0)
    })

    it(`${key}: an unknown option is ERR_USAGE, exit 2, stderr only; JSON with --json`, async () => {
      const words = key.split(' ')
      const r = await aegis([...words, '--no-such-flag'])
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toContain('ERR_USAGE')
      expect(r.stderr).toContain('--no-such-flag')
      const j = await aegis([...words, '--no-such-flag', '--json'])
      expect(j.code).toBe(2)
      expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, code: 'ERR_USAGE' })
      expect(j.stderr).toContain('ERR_USAGE')
    })
  }
})

describe('aegis listings and version', () => {
  it('aegis alone and aegis --help list every command', async () => {
    for (const argv of [[], ['--help'], ['help']]) {
      const r = await aegis(argv)
      expect(r.code).toBe(0)
      for (const key of Object.keys(COMMANDS)) expect(r.stdout).toContain(`aegis ${key} `)
    }
  })

  it('aegis agent alone lists the agent commands only', async () => {
    const r = await aegis(['agent'])
    expect(r.code).toBe(0)
    const listed = [...r.stdout.matchAll(/^ {2}aegis (\S+ \S+)/gm)].map((m) => m[1])
    expect(listed).toEqual(Object.keys(COMMANDS).filter((k) => k.startsWith('agent ')))
  })

  it('an unknown command or subcommand is exit 2 with the listing on stderr', async () => {
    const a = await aegis(['agent', 'dance'])
    expect([a.code, a.stdout]).toEqual([2, ''])
    expect(a.stderr).toMatch(/^aegis: unknown command 'agent dance'\nusage: aegis agent <command>/)
    const b = await aegis(['dance'])
    expect([b.code, b.stdout]).toEqual([2, ''])
    expect(b.stderr).toContain("unknown command 'dance'")
  })

  it('aegis help agent send is aegis agent send --help', async () => {
    expect((await aegis(['help', 'agent', 'send'])).stdout).toBe(
      (await aegis(['agent', 'send', '--help'])).stdout,
    )
  })

  it('--version prints the package version and the git commit', async () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      version: string
    }
    const r = await aegis(['--version'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      new RegExp(
        `^aegis ${pkg.version.replace(/\./g, '\\.')}( \\(commit [0-9a-f]{7,40}(-dirty)?\\))?\\n$`,
      ),
    )
  })
})

describe('collector URL and TPM arguments', () => {
  it('a collector without scheme, or with a path, is a clear usage error', async () => {
    for (const [url, why] of [
      ['localhost:8787', 'no http:// or https:// scheme'],
      ['http://localhost:8787/v1', 'without a path'],
      ['http://localhost:8787/?x=1', 'without a path, query'],
      ['ftp://localhost', 'no http:// or https:// scheme'],
    ] as const) {
      for (const argv of [
        ['agents', 'list', '--token', 't'],
        ['agent', 'enroll', '--tpm', 'swtpm:port=9', '--state', dir],
        ['agent', 'send', '--state', dir, '--location', '1,1'],
      ]) {
        const r = await aegis([...argv, '--collector', url])
        expect(r.code, r.stderr).toBe(2)
        expect(r.stderr).toContain('ERR_USAGE')
        expect(r.stderr).toContain(why)
        expect(r.stderr).not.toContain('TypeError')
      }
    }
    expect(parseCollectorUrl('https://aegis.example.com/')).toBe('https://aegis.example.com')
  })

  it('--tpm takes TCTI strings and TPM2TOOLS_TCTI stands in for it', async () => {
    const base = [
      'agent',
      'enroll',
      '--collector',
      'http://127.0.0.1:9',
      '--state',
      path.join(dir, 'st'),
    ]
    const bad = await aegis([...base], { TPM2TOOLS_TCTI: 'tabrmd:bus_type=session' })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/ERR_USAGE: TPM2TOOLS_TCTI: bad TPM spec 'tabrmd:bus_type=session'/)
    const none = await aegis([...base])
    expect(none.stderr).toContain('--tpm is required (or set TPM2TOOLS_TCTI)')
    // mssim: and swtpm: are accepted; the closed port is then the TPM's refusal, not a usage error.
    for (const tcti of ['mssim:host=127.0.0.1,port=9', 'swtpm:port=9']) {
      const r = await aegis([...base, '--json'], { TPM2TOOLS_TCTI: tcti })
      expect(r.code, r.stderr).toBe(1)
      expect(JSON.parse(r.stdout).code).toBe('ERR_TPM_TRANSPORT')
    }
  })

  it('agent send has no built-in position', async () => {
    const r = await aegis(['agent', 'send', '--state', dir])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('no location fix')
  })
})

describe('collector and token resolution', () => {
  const file = path.join(dir, 'profiles.json')
  writeFileSync(
    file,
    JSON.stringify({
      default: { collector: 'http://default.example:8787', token: 'tok-default' },
      prod: { collector: 'https://prod.example', tokenFile: path.join(dir, 'prod.token') },
    }),
  )
  writeFileSync(path.join(dir, 'prod.token'), 'tok-prod\n')

  it('flags, then AEGIS_COLLECTOR / AEGIS_TOKEN, then the profile', () => {
    const env = { AEGIS_PROFILES: file }
    expect(resolveTarget({}, env)).toEqual({
      collector: 'http://default.example:8787',
      token: 'tok-default',
    })
    expect(resolveTarget({ profile: 'prod' }, env)).toEqual({
      collector: 'https://prod.example',
      token: 'tok-prod',
    })
    expect(resolveTarget({}, { ...env, AEGIS_PROFILE: 'prod' }).token).toBe('tok-prod')
    expect(
      resolveTarget({}, { ...env, AEGIS_COLLECTOR: 'http://env:1', AEGIS_TOKEN: 'tok-env' }),
    ).toEqual({
      collector: 'http://env:1',
      token: 'tok-env',
    })
    expect(
      resolveTarget(
        { collector: 'http://flag:2', token: 'tok-flag' },
        { ...env, AEGIS_COLLECTOR: 'http://env:1' },
      ),
    ).toEqual({ collector: 'http://flag:2', token: 'tok-flag' })
  })

  it('a missing collector, token or named profile is a usage error', async () => {
    const none = { AEGIS_PROFILES: path.join(dir, 'absent.json') }
    const a = await aegis(['agents', 'list'], none)
    expect([a.code, a.stderr]).toEqual([2, expect.stringContaining('no collector')])
    const b = await aegis(['agents', 'list', '--collector', 'http://127.0.0.1:9'], none)
    expect([b.code, b.stderr]).toEqual([2, expect.stringContaining('no token')])
    const c = await aegis(['agents', 'list', '--profile', 'staging'], { AEGIS_PROFILES: file })
    expect([c.code, c.stderr]).toEqual([2, expect.stringContaining("no profile 'staging'")])
  })

  it('an unreachable collector is ERR_COLLECTOR, exit 1', async () => {
    const r = await aegis([
      'zones',
      'list',
      '--collector',
      'http://127.0.0.1:9',
      '--token',
      't',
      '--json',
    ])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'ERR_COLLECTOR' })
    expect(r.stderr).toContain('ERR_COLLECTOR')
  })
})
