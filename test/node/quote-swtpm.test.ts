/**
 * Quote verification against fresh evidence from a real software TPM: shared/tools/
 * make-tpm-evidence.sh runs its own swtpm (fresh state, our free port pair, killed by the script's
 * exit trap) and tpm2-tools into a temp dir; then the RSA and ECC quotes must verify and each
 * tampering must fail with its own code, in the library and through the CLI. A second swtpm
 * (test/node/helpers/swtpm.ts) makes an AK whose scheme hash differs from its nameAlg, to show on
 * a real TPM that pcrDigest follows the signing hash.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sha256 } from '@noble/hashes/sha2.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { concat, fromHex, toHex, utf8 } from '../../attest/bytes/encoding.ts'
import { verifyCertify } from '../../attest/quote/verify-certify.ts'
import { verifyQuote, type VerifyQuoteInput } from '../../attest/quote/verify-quote.ts'
import { TPM_RH } from '../../attest/tpm/constants.ts'
import { marshalTpm2ToolsPcrFile } from '../../attest/tpm/marshal-pcr-file.ts'
import { handleName, objectName, qualifiedName } from '../../attest/tpm/name.ts'
import { parseTpm2ToolsPcrFile } from '../../attest/tpm/pcr-file.ts'
import { parseTpm2bPublic } from '../../attest/tpm/public.ts'
import { freePortPair, startSwtpm, type Swtpm } from './helpers/swtpm.ts'
import { code } from '../helpers/error-code.ts'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')
const shared = path.resolve(process.env.AEGIS_SHARED ?? path.join(root, '../shared'))
const bin = path.join(root, 'agent/cli/bin.mjs')
const dir = mkdtempSync(path.join(tmpdir(), 'aegis-quote-swtpm-'))
const out = path.join(dir, 'evidence')
const f = (name: string) => new Uint8Array(readFileSync(path.join(out, name)))

function input(k: 'rsa' | 'ecc', over: Partial<VerifyQuoteInput> = {}): VerifyQuoteInput {
  const ak = parseTpm2bPublic(f(`ak-${k}.pub`))
  const ek = parseTpm2bPublic(f('ek-rsa.pub'))
  return {
    ak,
    attest: f(`quote-${k}.attest`),
    signature: f(`quote-${k}.sig`),
    expectedExtraData: fromHex(readFileSync(path.join(out, `quote-${k}.nonce.hex`), 'utf8').trim()),
    pcrs: parseTpm2ToolsPcrFile(f(`quote-${k}.pcrs`)).values,
    expectedSigner: qualifiedName(ak, qualifiedName(ek, handleName(TPM_RH.ENDORSEMENT))),
    ...over,
  }
}

beforeAll(async () => {
  const port = await freePortPair()
  execFileSync('bash', [path.join(shared, 'tools/make-tpm-evidence.sh'), out, String(port)], {
    stdio: 'pipe',
    timeout: 120_000,
  })
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('fresh swtpm quotes', () => {
  for (const k of ['rsa', 'ecc'] as const) {
    it(`accepts the ${k} quote with its nonce, PCR file and the AK's Qualified Name`, () => {
      const r = verifyQuote(input(k))
      expect(r.selection).toEqual([{ hashAlg: 'sha256', pcrs: [0, 1, 2, 3, 4, 5, 6, 7, 15] }])
      const pcr15 = sha256(concat(new Uint8Array(32), sha256(utf8('gnss:ublox-m8:fw-3.01'))))
      expect(toHex(r.pcrs!.sha256![15]!)).toBe(toHex(pcr15))
      expect(r.clockInfo.safe).toBe(true)
      expect(toHex(objectName(parseTpm2bPublic(f(`ak-${k}.pub`))))).toBe(toHex(f(`ak-${k}.name`)))
    })

    it(`rejects each tampering of the ${k} quote with its own code`, () => {
      const attest = f(`quote-${k}.attest`)
      const sig = f(`quote-${k}.sig`)
      const flipped = attest.slice()
      flipped[flipped.length - 1]! ^= 0x80 // last byte of pcrDigest
      expect(code(() => verifyQuote(input(k, { attest: flipped })))).toBe('ERR_QUOTE_SIGNATURE')

      const nonce = input(k).expectedExtraData.slice()
      nonce[5]! ^= 1
      expect(code(() => verifyQuote(input(k, { expectedExtraData: nonce })))).toBe(
        'ERR_QUOTE_NONCE',
      )

      // Another TPM's AK of the same type (the shared vectors'): wrong Qualified Name, and with
      // only the shape checked, a signature that does not verify.
      const other = parseTpm2bPublic(
        new Uint8Array(readFileSync(path.join(shared, `vectors/tpm2-tools/ak-${k}.pub`))),
      )
      const ekQn = qualifiedName(parseTpm2bPublic(f('ek-rsa.pub')), handleName(TPM_RH.ENDORSEMENT))
      const otherQn = qualifiedName(other, ekQn)
      expect(code(() => verifyQuote(input(k, { ak: other, expectedSigner: otherQn })))).toBe(
        'ERR_QUOTE_SIGNER',
      )
      expect(code(() => verifyQuote(input(k, { ak: other, expectedSigner: undefined })))).toBe(
        'ERR_QUOTE_SIGNATURE',
      )

      const changed = { sha256: { ...input(k).pcrs!.sha256 } }
      changed.sha256[0] = new Uint8Array(32).fill(1)
      expect(code(() => verifyQuote(input(k, { pcrs: changed })))).toBe('ERR_PCR_DIGEST')

      const missing = { sha256: { ...input(k).pcrs!.sha256 } }
      delete missing.sha256[15]
      expect(code(() => verifyQuote(input(k, { pcrs: missing })))).toBe('ERR_PCR_MISSING')

      const extra = { sha256: { ...input(k).pcrs!.sha256, 23: new Uint8Array(32) } }
      expect(code(() => verifyQuote(input(k, { pcrs: extra })))).toBe('ERR_PCR_EXTRA')

      expect(
        code(() => verifyQuote(input(k, { signature: sig.subarray(0, sig.length - 3) }))),
      ).toBe('ERR_TPM_MALFORMED')
      const z = new Uint8Array([0])
      expect(code(() => verifyQuote(input(k, { attest: concat(attest, z) })))).toBe(
        'ERR_TPM_TRAILING_BYTES',
      )
      expect(code(() => verifyQuote(input(k, { signature: concat(sig, z) })))).toBe(
        'ERR_TPM_TRAILING_BYTES',
      )
      expect(code(() => parseTpm2bPublic(concat(f(`ak-${k}.pub`), z)))).toBe(
        'ERR_TPM_TRAILING_BYTES',
      )
    })
  }

  it('accepts the fresh certification of app.pub by the ECC AK', () => {
    const r = verifyCertify({
      signer: parseTpm2bPublic(f('ak-ecc.pub')),
      attest: f('certify-ecc.attest'),
      signature: f('certify-ecc.sig'),
      certifiedName: objectName(parseTpm2bPublic(f('app.pub'))),
      expectedExtraData: fromHex('00ff55aa'), // tpm2_certify's fixed qualifying data
    })
    expect(r.signature.sigAlg).toBe('ecdsa')
  })
})

describe('aegis verify quote on fresh swtpm evidence', () => {
  function cli(k: 'rsa' | 'ecc', over: Record<string, string> = {}) {
    const flags: Record<string, string> = {
      ak: path.join(out, `ak-${k}.pub`),
      attest: path.join(out, `quote-${k}.attest`),
      sig: path.join(out, `quote-${k}.sig`),
      nonce: readFileSync(path.join(out, `quote-${k}.nonce.hex`), 'utf8').trim(),
      pcrs: path.join(out, `quote-${k}.pcrs`),
      ek: path.join(out, 'ek-rsa.pub'),
      ...over,
    }
    const argv = [
      'verify',
      'quote',
      ...Object.entries(flags).flatMap(([n, v]) => [`--${n}`, v]),
      '--json',
    ]
    const r = spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8' })
    return { status: r.status, json: JSON.parse(r.stdout) as { ok: boolean; code?: string } }
  }

  it('exit 0 for both quotes, exit 1 with the code for tampered files', () => {
    expect(cli('rsa')).toMatchObject({ status: 0, json: { ok: true } })
    expect(cli('ecc')).toMatchObject({ status: 0, json: { ok: true } })

    const a = f('quote-ecc.attest')
    a[90]! ^= 1 // restartCount
    writeFileSync(path.join(dir, 'flipped.attest'), a)
    expect(cli('ecc', { attest: path.join(dir, 'flipped.attest') })).toMatchObject({
      status: 1,
      json: { ok: false, code: 'ERR_QUOTE_SIGNATURE' },
    })

    const pf = parseTpm2ToolsPcrFile(f('quote-rsa.pcrs'))
    pf.selection = [{ hashAlg: 'sha256', pcrs: [0, 1, 2, 3, 4, 5, 6, 7] }]
    writeFileSync(path.join(dir, 'missing.pcrs'), marshalTpm2ToolsPcrFile(pf))
    expect(cli('rsa', { pcrs: path.join(dir, 'missing.pcrs') })).toMatchObject({
      status: 1,
      json: { ok: false, code: 'ERR_PCR_MISSING' },
    })

    expect(cli('rsa', { ak: path.join(out, 'ak-ecc.pub') })).toMatchObject({
      status: 1,
      json: { ok: false, code: 'ERR_QUOTE_SIGNER' },
    })
  })
})

describe('pcrDigest hash on a real TPM', () => {
  let tpm: Swtpm
  const work = path.join(dir, 'sha384-scheme')
  beforeAll(async () => {
    tpm = await startSwtpm()
    execFileSync('mkdir', ['-p', work])
  })
  afterAll(async () => tpm?.stop())

  it('follows the signing scheme hash (SHA-384), not the AK nameAlg (SHA-256)', () => {
    const t = (cmd: string, args: string[]) => tpm.tools(cmd, args, { cwd: work })
    t('tpm2_createprimary', ['-C', 'o', '-g', 'sha256', '-G', 'ecc', '-c', 'prim.ctx'])
    // A restricted signing key with nameAlg SHA-256 and scheme ECDSA-SHA384 (symmetric null:
    // tpm2-tools would otherwise give a restricted key AES, which the TPM refuses for signing).
    t('tpm2_create', [
      '-C',
      'prim.ctx',
      '-g',
      'sha256',
      '-G',
      'ecc256:ecdsa-sha384:null',
      '-a',
      'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign',
      '-u',
      'k.pub',
      '-r',
      'k.priv',
    ])
    t('tpm2_load', ['-C', 'prim.ctx', '-u', 'k.pub', '-r', 'k.priv', '-c', 'k.ctx'])
    const nonce = '5eed'.repeat(16)
    t('tpm2_quote', [
      '-c',
      'k.ctx',
      '-l',
      'sha256:0,15',
      '-q',
      nonce,
      '-m',
      'q.attest',
      '-s',
      'q.sig',
      '-o',
      'q.pcrs',
      '-g',
      'sha384',
    ])
    const read = (n: string) => new Uint8Array(readFileSync(path.join(work, n)))
    const ak = parseTpm2bPublic(read('k.pub'))
    expect(ak.nameAlg).toBe('sha256')
    expect(ak.scheme).toEqual({ scheme: 'ecdsa', hashAlg: 'sha384' })
    const r = verifyQuote({
      ak,
      attest: read('q.attest'),
      signature: read('q.sig'),
      expectedExtraData: fromHex(nonce),
      pcrs: parseTpm2ToolsPcrFile(read('q.pcrs')).values,
    })
    expect(r.signature.hashAlg).toBe('sha384')
    expect(r.pcrDigest.length).toBe(48)
  })
})
