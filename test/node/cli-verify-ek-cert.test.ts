/**
 * `aegis verify ek-cert` end to end: against the shared swtpm vectors (shared/vectors/tpm2-tools,
 * swtpm 0.7.1 + tpm2-tools 5.4) through main() with a captured CliIO and through the real launcher
 * (agent/cli/bin.mjs), and against a fresh set made now by shared/tools/make-tpm-evidence.sh on a
 * free port pair (its own swtpm, started and killed by the script). Checks exit codes (0 valid,
 * 1 invalid evidence, 2 usage or unusable input) and the --json output.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePortPair } from './helpers/swtpm.ts'
import { cli } from './helpers/cli.ts'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')
const shared = process.env.AEGIS_SHARED ?? path.join(root, '../shared')
const V = path.resolve(shared, 'vectors/tpm2-tools')
const v = (f: string) => path.join(V, f)
const AT = '2030-01-01T00:00:00Z'
const dir = mkdtempSync(path.join(tmpdir(), 'aegis-cli-ekcert-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const aegis = (argv: string[]) => cli(argv, {})

async function json(argv: string[]) {
  const r = await aegis(['verify', 'ek-cert', ...argv, '--json'])
  // stderr carries the human line of a failure (always), never anything on success
  if (r.code === 0) expect(r.stderr).toBe('')
  else expect(r.stderr).toContain(JSON.parse(r.stdout).code)
  return { code: r.code, body: JSON.parse(r.stdout) as Record<string, unknown> }
}

function file(name: string, content: Uint8Array | string): string {
  const f = path.join(dir, name)
  writeFileSync(f, content)
  return f
}

const chainArgs = [
  '--roots',
  v('manufacturer-root.pem'),
  '--intermediates',
  v('manufacturer-intermediate.pem'),
]

describe('aegis verify ek-cert: shared vectors', () => {
  for (const k of ['rsa', 'ecc'] as const) {
    it(`accepts the ${k} EK certificate with its EK: exit 0 and the JSON report`, async () => {
      const r = await json([
        '--cert',
        v(`ek-${k}-cert.der`),
        ...chainArgs,
        '--ek-pub',
        v(`ek-${k}.pub`),
        '--at',
        AT,
      ])
      expect(r.code).toBe(0)
      expect(r.body).toEqual({
        ok: true,
        subject: 'CN=unknown',
        issuer: 'CN=swtpm-localca',
        serial: k === 'rsa' ? '08' : '0a',
        tcg: { manufacturer: 'id:00001014', model: 'swtpm', version: 'id:20191023' },
        chain: ['CN=unknown', 'CN=swtpm-localca', 'CN=swtpm-localca-rootca'],
        ekMatches: true,
      })
    })
  }

  it('omits ekMatches without --ek-pub', async () => {
    const r = await json(['--cert', v('ek-rsa-cert.der'), ...chainArgs, '--at', AT])
    expect(r.code).toBe(0)
    expect('ekMatches' in r.body).toBe(false)
  })

  it('trusts every certificate of a roots bundle or directory as an anchor', async () => {
    const bundle = file(
      'bundle.pem',
      readFileSync(v('manufacturer-intermediate.pem'), 'utf8') +
        readFileSync(v('manufacturer-root.pem'), 'utf8'),
    )
    const a = await json(['--cert', v('ek-ecc-cert.der'), '--roots', bundle, '--at', AT])
    expect(a.code).toBe(0)
    // The configured intermediate is itself an anchor (openssl verify -partial_chain does the same).
    expect(a.body.chain).toEqual(['CN=unknown', 'CN=swtpm-localca'])
    const c = await json([
      '--cert',
      v('ek-ecc-cert.der'),
      '--roots',
      v('manufacturer-root.pem'),
      '--intermediates',
      v('manufacturer-intermediate.pem'),
      '--at',
      AT,
    ])
    expect(c.body.chain).toHaveLength(3)
    const d = path.join(dir, 'roots.d')
    mkdirSync(d)
    copyFileSync(v('manufacturer-root.pem'), path.join(d, 'root.pem'))
    copyFileSync(v('manufacturer-intermediate.pem'), path.join(d, 'intermediate.crt'))
    writeFileSync(path.join(d, 'README.txt'), 'not a certificate, and not picked up')
    const b = await json([
      '--cert',
      v('ek-rsa-cert.der'),
      '--roots',
      d,
      '--ek-pub',
      v('ek-rsa.pub'),
      '--at',
      AT,
    ])
    expect(b.code).toBe(0)
    expect(b.body.ekMatches).toBe(true)
  })

  it('reads the certificate as PEM, and as DER with NV padding', async () => {
    const der = readFileSync(v('ek-rsa-cert.der'))
    const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`
    expect((await json(['--cert', file('ek.pem', pem), ...chainArgs, '--at', AT])).code).toBe(0)
    const padded = Buffer.concat([der, Buffer.alloc(200, 0xff)])
    expect(
      (await json(['--cert', file('ek-padded.der', padded), ...chainArgs, '--at', AT])).code,
    ).toBe(0)
  })

  it('prints a text report without --json', async () => {
    const r = await aegis([
      'verify',
      'ek-cert',
      '--cert',
      v('ek-ecc-cert.der'),
      ...chainArgs,
      '--at',
      AT,
    ])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^EK certificate OK\n/)
    expect(r.stdout).toContain('CN=unknown <- CN=swtpm-localca <- CN=swtpm-localca-rootca')
    expect(r.stderr).toBe('')
  })

  const invalid: Array<[string, () => string[], string]> = [
    [
      'the other EK',
      () => ['--cert', v('ek-ecc-cert.der'), ...chainArgs, '--ek-pub', v('ek-rsa.pub'), '--at', AT],
      'ERR_CERT_EK_MISMATCH',
    ],
    [
      'a missing intermediate',
      () => ['--cert', v('ek-rsa-cert.der'), '--roots', v('manufacturer-root.pem'), '--at', AT],
      'ERR_CERT_CHAIN',
    ],
    [
      'the wrong root',
      () => [
        '--cert',
        v('ek-rsa-cert.der'),
        '--intermediates',
        v('manufacturer-intermediate.pem'),
        '--roots',
        path.join(root, 'test/vectors/x509/chains/rsa-root.der'),
        '--at',
        AT,
      ],
      'ERR_CERT_CHAIN',
    ],
    [
      'a time after notAfter',
      () => ['--cert', v('ek-rsa-cert.der'), ...chainArgs, '--at', '+010000-01-01T00:00:00Z'],
      'ERR_CERT_EXPIRED',
    ],
    [
      'a time before notBefore',
      () => ['--cert', v('ek-rsa-cert.der'), ...chainArgs, '--at', '2026-01-01'],
      'ERR_CERT_NOT_YET_VALID',
    ],
    [
      'a flipped signature bit',
      () => {
        const b = readFileSync(v('ek-rsa-cert.der'))
        b[b.length - 5]! ^= 1
        return ['--cert', file('ek-badsig.der', b), ...chainArgs, '--at', AT]
      },
      'ERR_CERT_SIGNATURE',
    ],
    [
      'a truncated certificate',
      () => [
        '--cert',
        file('ek-short.der', readFileSync(v('ek-rsa-cert.der')).subarray(0, 500)),
        ...chainArgs,
        '--at',
        AT,
      ],
      'ERR_CERT_MALFORMED',
    ],
    [
      'an EK public that does not parse',
      () => [
        '--cert',
        v('ek-rsa-cert.der'),
        ...chainArgs,
        '--ek-pub',
        v('ek-rsa-cert.der'),
        '--at',
        AT,
      ],
      'ERR_TPM_MALFORMED',
    ],
  ]
  for (const [what, args, code] of invalid) {
    it(`refuses ${what}: exit 1, ${code}`, async () => {
      const r = await json(args())
      expect(r.code).toBe(1)
      expect(r.body).toMatchObject({ ok: false, code })
      expect(typeof r.body.message).toBe('string')
    })
  }

  const usage: Array<[string, () => string[], string]> = [
    ['no --cert', () => [...chainArgs], 'ERR_USAGE'],
    ['no --roots', () => ['--cert', v('ek-rsa-cert.der')], 'ERR_USAGE'],
    [
      'an unknown option',
      () => ['--cert', v('ek-rsa-cert.der'), ...chainArgs, '--nope'],
      'ERR_USAGE',
    ],
    [
      'a bad --at',
      () => ['--cert', v('ek-rsa-cert.der'), ...chainArgs, '--at', 'yesterday'],
      'ERR_USAGE',
    ],
    [
      'an unreadable --cert',
      () => ['--cert', path.join(dir, 'missing.der'), ...chainArgs],
      'ERR_IO',
    ],
    [
      'an unreadable --roots',
      () => ['--cert', v('ek-rsa-cert.der'), '--roots', path.join(dir, 'missing.d')],
      'ERR_IO',
    ],
    [
      'roots that are not certificates',
      () => ['--cert', v('ek-rsa-cert.der'), '--roots', v('ek-rsa.pub')],
      'ERR_TRUST_ROOTS',
    ],
  ]
  for (const [what, args, code] of usage) {
    it(`refuses ${what}: exit 2, ${code}`, async () => {
      const r = await json(args())
      expect(r.code).toBe(2)
      expect(r.body).toMatchObject({ ok: false, code })
    })
  }

  it('runs as a real process through agent/cli/bin.mjs', () => {
    const bin = path.join(root, 'agent/cli/bin.mjs')
    const ok = spawnSync(
      process.execPath,
      [
        bin,
        'verify',
        'ek-cert',
        '--cert',
        v('ek-ecc-cert.der'),
        ...chainArgs,
        '--ek-pub',
        v('ek-ecc.pub'),
        '--at',
        AT,
        '--json',
      ],
      { encoding: 'utf8' },
    )
    expect(ok.status).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, serial: '0a', ekMatches: true })
    const bad = spawnSync(
      process.execPath,
      [
        bin,
        'verify',
        'ek-cert',
        '--cert',
        v('ek-ecc-cert.der'),
        ...chainArgs,
        '--ek-pub',
        v('ek-rsa.pub'),
        '--at',
        AT,
        '--json',
      ],
      { encoding: 'utf8' },
    )
    expect(bad.status).toBe(1)
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, code: 'ERR_CERT_EK_MISMATCH' })
    const usage = spawnSync(process.execPath, [bin, 'verify', 'ek-cert'], { encoding: 'utf8' })
    expect(usage.status).toBe(2)
    expect(usage.stderr).toContain('ERR_USAGE')
  })
})

describe('aegis verify ek-cert: real vendor chains from trust/tpm-vendors', () => {
  const vendors = path.join(root, 'trust/tpm-vendors')
  const ek = (n: string) => path.join(root, 'test/vectors/ek-certs', n)
  const stmFile = (cn: RegExp) => {
    const m = JSON.parse(readFileSync(path.join(vendors, 'manifest.json'), 'utf8')).certificates
    const e = m.find((x: { subject: string }) => cn.test(x.subject))
    return path.join(vendors, e.file)
  }

  it('takes several --roots values after one flag (files and a directory)', async () => {
    const r = await json([
      '--cert',
      ek('stm-rsa-int05-padded.nv'),
      '--roots',
      path.join(vendors, 'infineon'),
      v('manufacturer-root.pem'),
      path.join(vendors, 'stmicro'),
      '--at',
      '2024-01-01T00:00:00Z',
    ])
    expect(r.code).toBe(0)
    expect(r.body.issuer).toBe('CN=STM TPM EK Intermediate CA 05,O=STMicroelectronics NV,C=CH')
  })

  it('a cross-signed vendor root configured as a root is an anchor (STM ECC Root CA 01)', async () => {
    const root01 = stmFile(/CN=STM TPM ECC Root CA 01/)
    const int01 = stmFile(/CN=STM TPM ECC Intermediate CA 01/)
    const r = await json([
      '--cert',
      ek('stm-ecc-int01.der'),
      '--roots',
      root01,
      '--intermediates',
      int01,
      '--at',
      '2024-01-01T00:00:00Z',
    ])
    expect(r.code).toBe(0)
    expect(r.body.chain).toEqual([
      '',
      'CN=STM TPM ECC Intermediate CA 01,O=STMicroelectronics NV,C=CH',
      'CN=STM TPM ECC Root CA 01,O=STMicroelectronics NV,C=CH',
    ])
  })

  it('refuses it with the Infineon set only: exit 1, ERR_CERT_CHAIN', async () => {
    const r = await json([
      '--cert',
      ek('stm-ecc-int01.der'),
      '--roots',
      path.join(vendors, 'infineon'),
      '--at',
      '2024-01-01T00:00:00Z',
    ])
    expect(r.code).toBe(1)
    expect(r.body.code).toBe('ERR_CERT_CHAIN')
  })
})

describe('aegis verify ek-cert: fresh swtpm evidence', () => {
  const fresh = path.join(dir, 'fresh')
  beforeAll(async () => {
    const port = await freePortPair()
    execFileSync('bash', [path.join(shared, 'tools/make-tpm-evidence.sh'), fresh, String(port)], {
      stdio: 'ignore',
      timeout: 110_000,
    })
  })

  for (const k of ['rsa', 'ecc'] as const) {
    it(`accepts the fresh ${k} EK certificate now, with its EK`, async () => {
      const f = (n: string) => path.join(fresh, n)
      const r = await json([
        '--cert',
        f(`ek-${k}-cert.der`),
        '--roots',
        f('manufacturer-root.pem'),
        '--intermediates',
        f('manufacturer-intermediate.pem'),
        '--ek-pub',
        f(`ek-${k}.pub`),
      ])
      expect(r.code).toBe(0)
      expect(r.body).toMatchObject({ ok: true, ekMatches: true, tcg: { model: 'swtpm' } })
      expect(r.body.chain).toHaveLength(3)
    })
  }

  it('tells the fresh EK apart from the shared vectors’ EK', async () => {
    const f = (n: string) => path.join(fresh, n)
    const r = await json([
      '--cert',
      f('ek-rsa-cert.der'),
      '--roots',
      f('manufacturer-root.pem'),
      '--intermediates',
      f('manufacturer-intermediate.pem'),
      '--ek-pub',
      v('ek-rsa.pub'),
    ])
    expect(r.code).toBe(1)
    expect(r.body.code).toBe('ERR_CERT_EK_MISMATCH')
  })

  it('keeps two CAs with the same name apart by key identifier', async () => {
    // Each swtpm install makes its own swtpm-localca: on a machine other than the one that made
    // the shared vectors, the two CAs share a DN ("CN=swtpm-localca") but not a key, and chain
    // building must follow AKI/SKI, not the name. (On that one machine only the bundle half runs.)
    const f = (n: string) => path.join(fresh, n)
    const freshInter = readFileSync(f('manufacturer-intermediate.pem'), 'utf8')
    const sharedInter = readFileSync(v('manufacturer-intermediate.pem'), 'utf8')
    if (freshInter !== sharedInter) {
      const cross = await json(['--cert', f('ek-rsa-cert.der'), ...chainArgs])
      expect(cross.code).toBe(1)
      expect(cross.body.code).toBe('ERR_CERT_CHAIN')
    }
    const both = file(
      'both-cas.pem',
      freshInter +
        sharedInter +
        readFileSync(f('manufacturer-root.pem'), 'utf8') +
        readFileSync(v('manufacturer-root.pem'), 'utf8'),
    )
    for (const cert of [f('ek-ecc-cert.der'), v('ek-ecc-cert.der')]) {
      const r = await json(['--cert', cert, '--roots', both])
      expect(r.code).toBe(0)
      // Both intermediates are anchors here; the one with the matching key ends the path.
      expect(r.body.chain).toHaveLength(2)
    }
  })
})
