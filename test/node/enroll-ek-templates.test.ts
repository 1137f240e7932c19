/**
 * EK templates beyond L-1 / H-3, end to end with swtpm and the real collector: a TPM provisioned
 * with `swtpm_setup --rsa-keysize 3072` holds an RSA-3072 EK (template H-6, persistent 0x8101001c,
 * certificate in NV 0x01c0001c) and the P-384 EK (H-3); both enroll (RSA-3072 OAEP
 * MakeCredential, SHA-384 PolicyOR activation). Also: `--ek auto` picks a template whose
 * certificate is in NV; a template without a certificate is refused; the EK certificate chain
 * read from NV 0x01c00100 lets an EK enroll when the collector trusts only the root; `--ek-cert
 * FILE` and `--ek-cert-url` for TPMs without an NV certificate, and an unreachable vendor service
 * is ERR_EK_CERT_UNAVAILABLE.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SWTPM_LOCALCA_DIR } from '../../scripts/seed-dev.ts'
import { startCollector, type Collector } from './helpers/collector.ts'
import { startSwtpm, type Swtpm } from './helpers/swtpm.ts'
import { enrollWithCli } from './helpers/fixtures.ts'

const ROOT = path.join(SWTPM_LOCALCA_DIR, 'swtpm-localca-rootca-cert.pem')
const ISSUER = path.join(SWTPM_LOCALCA_DIR, 'issuercert.pem')

describe('EK templates: RSA-3072 (H-6) and P-384 (H-3) on swtpm', () => {
  let tpm: Swtpm
  let collector: Collector
  let dir: string
  let server: Server | undefined
  const enroll = async (...extra: string[]) => {
    const r = await enrollWithCli(
      collector.url,
      tpm.agentTpm,
      mkdtempSync(path.join(dir, 'agent-')),
      '--json',
      ...extra,
    )
    return { ...r, body: JSON.parse(r.out || '{}') as Record<string, unknown> }
  }
  const nvRead = (index: string, file: string) => {
    tpm.tools('tpm2_nvread', ['-C', 'o', '-o', file, index])
    return file
  }
  const setTrust = async (roots: string[], intermediates: string[]) => {
    const r = await collector.api('operator', '/v1/config/trust', {
      method: 'PUT',
      body: JSON.stringify({ value: { roots, intermediates } }),
    })
    expect(r.status).toBe(200)
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aegis-ektpl-'))
    tpm = await startSwtpm({ setupArgs: ['--rsa-keysize', '3072'] })
    collector = await startCollector()
  }, 120_000)
  afterAll(async () => {
    server?.close()
    await collector?.stop()
    await tpm?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('provisioned an RSA-3072 EK certificate at 0x01c0001c and none at 0x01c00002', () => {
    const out = tpm.tools('tpm2_getcap', ['handles-nv-index']).toString()
    expect(out).toContain('0x1C0001C')
    expect(out).not.toContain('0x1C00002')
  })

  it('enrolls the RSA-3072 EK (H-6) and the P-384 EK (H-3)', async () => {
    const a = await enroll('--ek', 'rsa3072')
    expect(a.code, a.out + a.err + collector.logs().slice(-2000)).toBe(0)
    const b = await enroll('--ek', 'ecc', '--ak-alg', 'rsa', '--ak-handle', '0x81008002')
    expect(b.code, b.out + b.err).toBe(0)
    expect(a.body.agentId).not.toBe(b.body.agentId)
  })

  it('--ek auto takes a template whose certificate is in NV (here H-3, before H-6 in order)', async () => {
    const state = mkdtempSync(path.join(dir, 'auto-'))
    const r = await enrollWithCli(collector.url, tpm.agentTpm, state)
    expect(r.code, r.out + r.err).toBe(0)
    const files = readdirSync(state).filter((f) => f.endsWith('.json'))
    const saved = JSON.parse(readFileSync(path.join(state, files[0]!), 'utf8')) as {
      ek: { kind: string }
    }
    expect(saved.ek.kind).toBe('ecc')
  })

  it('refuses a template the TPM has no certificate for (L-1 re-derived): ERR_CERT_CHAIN', async () => {
    const r = await enroll('--ek', 'rsa')
    expect(r.code).toBe(1)
    expect(r.body.code).toBe('ERR_CERT_CHAIN')
  })

  it('reads the EK certificate chain from NV 0x01c00100 when the collector trusts only the root', async () => {
    await setTrust([readFileSync(ROOT, 'utf8')], [])
    const before = await enroll('--ek', 'ecc')
    expect(before.body.code).toBe('ERR_CERT_CHAIN')
    const der = path.join(dir, 'issuer.der')
    writeFileSync(
      der,
      Buffer.from(readFileSync(ISSUER, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64'),
    )
    const size = String(readFileSync(der).length)
    tpm.tools('tpm2_nvdefine', [
      '0x01c00100',
      '-C',
      'o',
      '-s',
      size,
      '-a',
      'ownerread|ownerwrite|authread|authwrite',
    ])
    tpm.tools('tpm2_nvwrite', ['0x01c00100', '-C', 'o', '-i', der])
    const after = await enroll('--ek', 'ecc')
    expect(after.code, after.out + after.err).toBe(0)
    tpm.tools('tpm2_nvundefine', ['0x01c00100', '-C', 'o'])
  })

  it('--ek-cert FILE: a PEM bundle with the CA certificate; the wrong EK fails locally', async () => {
    await setTrust([readFileSync(ROOT, 'utf8')], [])
    const ekDer = readFileSync(nvRead('0x01c0001c', path.join(dir, 'ek3072.der')))
    const pem = (b: Buffer) =>
      `-----BEGIN CERTIFICATE-----\n${b.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`
    const bundle = path.join(dir, 'ek3072-bundle.pem')
    writeFileSync(bundle, readFileSync(ISSUER, 'utf8') + pem(ekDer))
    const ok = await enroll('--ek', 'rsa3072', '--ek-cert', bundle)
    expect(ok.code, ok.out + ok.err).toBe(0)
    const wrong = await enroll('--ek', 'ecc', '--ek-cert', bundle)
    expect(wrong.code).toBe(1)
    expect(wrong.body.code).toBe('ERR_CERT_EK_MISMATCH')
  })

  it('--ek-cert-url: a reachable service works, an unreachable one is ERR_EK_CERT_UNAVAILABLE', async () => {
    await setTrust([readFileSync(ROOT, 'utf8')], [readFileSync(ISSUER, 'utf8')])
    const ekDer = readFileSync(nvRead('0x01c0001c', path.join(dir, 'ek3072b.der')))
    const asked: string[] = []
    server = createServer((req, res) => {
      asked.push(req.url ?? '')
      res.writeHead(200, { 'content-type': 'application/pkix-cert' }).end(ekDer)
    })
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
    const port = (server.address() as { port: number }).port
    const ok = await enroll(
      '--ek',
      'rsa3072',
      '--ek-cert-url',
      `http://127.0.0.1:${port}/ekcertservice/{ekhash}`,
    )
    expect(ok.code, ok.out + ok.err).toBe(0)
    expect(asked[0]).toMatch(/^\/ekcertservice\/[A-Za-z0-9%+/]{40,}$/)
    server.close()
    const down = await enroll(
      '--ek',
      'rsa3072',
      '--ek-cert-url',
      `http://127.0.0.1:${port}/gone/{ekhash}`,
    )
    expect(down.code).toBe(1)
    expect(down.body.code).toBe('ERR_EK_CERT_UNAVAILABLE')
  })
})
