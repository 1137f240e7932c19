/**
 * The benchmark's software TPM stand-in (bench/sim) against attest's own verifiers: its EK and AK
 * have the shapes enrollment admits, its quotes verify with verifyQuote (and break where a real
 * quote would), and its ActivateCredential opens what attest's makeCredential made, for its own
 * AK only. Then a smoke run of the harness: one micro case inside workerd through `bench/run.mjs`,
 * checking the JSON contract on stdout.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sha256 } from '@noble/hashes/sha2.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesEqual, toHex, utf8 } from '../../attest/bytes/encoding.ts'
import { batchQualifyingData } from '../../attest/binding/qualifying-data.ts'
import { expectedSensorPcr, sensorMeasurement } from '../../attest/binding/sensor-identity.ts'
import { makeCredential } from '../../attest/credential/make-credential.ts'
import { checkAttestationKey } from '../../attest/enroll/check-ak.ts'
import { checkEndorsementKey } from '../../attest/enroll/check-ek-attributes.ts'
import { verifyQuote } from '../../attest/quote/verify-quote.ts'
import { parseTpm2bPublic } from '../../attest/tpm/public.ts'
import type { PcrSelection } from '../../attest/tpm/types.ts'
import { AK_TEMPLATES } from '../../agent/tpm/templates/ak-templates.ts'
import { EK_RSA_L1 } from '../../agent/tpm/templates/ek-templates.ts'
import { matchesTemplate } from '../../agent/tpm/templates/template.ts'
import { percentile, summarize } from '../../bench/harness/stats.ts'
import { parseServerTiming } from '../../bench/sim/send-sim-batches.ts'
import { createSoftTpm, type SoftTpm } from '../../bench/sim/soft-tpm.ts'
import { codeAsync } from '../helpers/error-code.ts'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')
const SELECTION: PcrSelection[] = [{ hashAlg: 'sha256', pcrs: [0, 1, 2, 3, 4, 5, 6, 7, 15] }]
const SENSOR = { id: 'bench-gnss-0', firmware: 'sim-1.0' }

describe('bench/sim soft TPM', () => {
  let tpm: SoftTpm
  let other: SoftTpm

  beforeAll(async () => {
    ;[tpm, other] = await Promise.all([createSoftTpm(), createSoftTpm()])
    tpm.extendPcr(15, sensorMeasurement(SENSOR))
  })

  it('has an RSA-2048 EK of template L-1 and a P-256 AK of the agent template, as enrollment wants', () => {
    const ek = parseTpm2bPublic(tpm.ekPublic2b)
    const ak = parseTpm2bPublic(tpm.akPublic2b)
    expect(ek.type === 'rsa' && ek.keyBits === 2048 && ek.modulus.length === 256).toBe(true)
    expect(matchesTemplate(ek, EK_RSA_L1)).toBe(true)
    expect(matchesTemplate(ak, AK_TEMPLATES.ecc)).toBe(true)
    expect(() => checkEndorsementKey(ek)).not.toThrow()
    expect(() => checkAttestationKey(ak)).not.toThrow()
    expect(tpm.agentId).toBe(toHex(sha256(ek.raw)))
    expect(tpm.agentId).not.toBe(other.agentId)
  })

  it('quotes verify with verifyQuote: selection, PCR digest, sensor PCR, rising clock', () => {
    const qd = batchQualifyingData(crypto.getRandomValues(new Uint8Array(32)), utf8('{"seq":1}'))
    const q1 = tpm.quote(qd, SELECTION)
    const r1 = verifyQuote({
      ak: tpm.ak,
      attest: q1.attest,
      signature: q1.signature,
      expectedExtraData: qd,
      pcrs: q1.pcrs,
      expectedSelection: SELECTION,
    })
    expect(r1.pcrs!.sha256![15]).toEqual(expectedSensorPcr(SENSOR))
    expect(r1.pcrs!.sha256![0]).toEqual(new Uint8Array(32))
    expect(r1.clockInfo.safe).toBe(true)
    const q2 = tpm.quote(qd, SELECTION)
    const r2 = verifyQuote({
      ak: tpm.ak,
      attest: q2.attest,
      signature: q2.signature,
      expectedExtraData: qd,
    })
    expect(r2.clockInfo.clock > r1.clockInfo.clock).toBe(true)
    expect([r2.clockInfo.resetCount, r2.clockInfo.restartCount]).toEqual([
      r1.clockInfo.resetCount,
      r1.clockInfo.restartCount,
    ])
  })

  it('quotes fail verification where a real one would', async () => {
    const qd = new Uint8Array(32).fill(7)
    const q = tpm.quote(qd, SELECTION)
    const base = { ak: tpm.ak, attest: q.attest, signature: q.signature, expectedExtraData: qd }
    expect(
      await codeAsync(() => verifyQuote({ ...base, expectedExtraData: new Uint8Array(32) })),
    ).toBe('ERR_QUOTE_NONCE')
    expect(await codeAsync(() => verifyQuote({ ...base, ak: other.ak }))).toBe(
      'ERR_QUOTE_SIGNATURE',
    )
    const tampered = q.attest.slice()
    tampered[tampered.length - 1]! ^= 1
    expect(await codeAsync(() => verifyQuote({ ...base, attest: tampered }))).toBe(
      'ERR_QUOTE_SIGNATURE',
    )
    const wrongPcr = { sha256: { ...q.pcrs.sha256, 15: new Uint8Array(32) } }
    expect(await codeAsync(() => verifyQuote({ ...base, pcrs: wrongPcr }))).toBe('ERR_PCR_DIGEST')
  })

  it("ActivateCredential opens attest's makeCredential for its own AK, and only that", async () => {
    const secret = crypto.getRandomValues(new Uint8Array(32))
    const cred = makeCredential({ ek: tpm.ek, objectName: tpm.akName, secret })
    const got = await tpm.activateCredential(cred.credentialBlob, cred.encryptedSecret)
    expect(bytesEqual(got, secret)).toBe(true)

    const forOtherAk = makeCredential({ ek: tpm.ek, objectName: other.akName, secret })
    expect(
      await codeAsync(() =>
        tpm.activateCredential(forOtherAk.credentialBlob, forOtherAk.encryptedSecret),
      ),
    ).toBe('ERR_CREDENTIAL')
    const forOtherEk = makeCredential({ ek: other.ek, objectName: tpm.akName, secret })
    expect(
      await codeAsync(() =>
        tpm.activateCredential(forOtherEk.credentialBlob, forOtherEk.encryptedSecret),
      ),
    ).toBe('ERR_CREDENTIAL')
    const blob = cred.credentialBlob.slice()
    blob[blob.length - 1]! ^= 1
    expect(await codeAsync(() => tpm.activateCredential(blob, cred.encryptedSecret))).toBe(
      'ERR_CREDENTIAL',
    )
  })
})

describe('bench harness pieces', () => {
  it('summarize uses nearest-rank percentiles of measured samples', () => {
    const s = summarize(Array.from({ length: 100 }, (_, i) => 100 - i))
    expect(s).toMatchObject({
      n: 100,
      median_ms: 50,
      p99_ms: 99,
      min_ms: 1,
      max_ms: 100,
      mean_ms: 50.5,
    })
    expect(percentile([5], 99)).toBe(5)
  })

  it('parseServerTiming reads the collector header', () => {
    expect(parseServerTiming('verify;dur=3.000, ledger;dur=12.500, total;dur=16.000')).toEqual({
      verify: 3,
      ledger: 12.5,
      total: 16,
    })
    expect(parseServerTiming(null)).toEqual({})
  })
})

describe('npm run bench (smoke)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aegis-bench-smoke-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('runs one micro case inside workerd and prints the JSON contract', async () => {
    const out = path.join(dir, 'latest.json')
    const child = spawn(
      process.execPath,
      [
        'bench/run.mjs',
        '--only',
        'verify.quote.rsa-2048',
        '--iterations',
        '50',
        '--out',
        out,
        '--generated-dir',
        path.join(dir, 'generated'),
      ],
      {
        cwd: root,
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const code = await new Promise<number | null>((r) => child.once('exit', r))
    expect(code, stderr).toBe(0)
    const doc = JSON.parse(stdout) as {
      results: { name: string; median_ms: number; p99_ms: number; n: number; kind: string }[]
      machine: Record<string, unknown>
    }
    expect(doc.results.map((r) => r.name)).toEqual(['verify.quote.rsa-2048'])
    const [r] = doc.results
    expect(r!.n).toBeGreaterThanOrEqual(50)
    expect(r!.median_ms).toBeGreaterThan(0)
    expect(r!.p99_ms).toBeGreaterThanOrEqual(r!.median_ms)
    expect(doc.machine.cores).toBeTypeOf('number')
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(doc)
    expect(stderr).toContain('[bench]')
  }, 120_000)
})
