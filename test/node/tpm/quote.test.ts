/**
 * Attestation key, quotes and PCRs against a freshly provisioned swtpm, cross-checked with
 * tpm2-tools: the persisted AK equals tpm2_readpublic's bytes, quotes by the ECC and the RSA AK
 * verify with tpm2_checkquote (AK public as TPM2B_PUBLIC, PCRs in tpm2-tools' PCR file layout),
 * PCR_Read equals tpm2_pcrread and PCR_Extend matches both tpm2_pcrread and SHA-256(old || d).
 * The PCR_Read loop's less common answers (a TPM returning few PCRs per call, PCRs changing
 * mid-read) are also driven by a scripted transport that answers real PCR_Read response bytes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sha256 } from '@noble/hashes/sha2.js'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { concat, fromHex, toHex, utf8 } from '../../../attest/bytes/encoding.ts'
import { ByteReader } from '../../../attest/bytes/reader.ts'
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import { AegisError } from '../../../attest/errors.ts'
import { parseTpmsAttest } from '../../../attest/tpm/attest.ts'
import { marshalTpmlDigest } from '../../../attest/tpm/marshal-digest-list.ts'
import { marshalTpm2ToolsPcrFile } from '../../../attest/tpm/marshal-pcr-file.ts'
import { marshalTpmlPcrSelection } from '../../../attest/tpm/marshal-pcr-selection.ts'
import { readTpmlPcrSelection } from '../../../attest/tpm/pcr-selection.ts'
import { parseTpmtSignature } from '../../../attest/tpm/signature.ts'
import type { PcrSelection } from '../../../attest/tpm/types.ts'
import { ensureAttestationKey } from '../../../agent/tpm/ak.ts'
import { extendPcr, quote, readPcrs } from '../../../agent/tpm/quote.ts'
import { Tpm } from '../../../agent/tpm/tpm.ts'
import type { TpmTransport } from '../../../agent/tpm/transport/transport.ts'
import { startSwtpm, type Swtpm } from '../helpers/swtpm.ts'
import { expectNothingLoaded, pcrreadValues, rawTool, withTpm } from './fixtures.ts'

async function aegisCode(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(AegisError)
  return (e as AegisError).code
}

const SELECTION: PcrSelection[] = [{ hashAlg: 'sha256', pcrs: [0, 1, 2, 3, 4, 5, 6, 7, 15] }]
const ALL24 = Array.from({ length: 24 }, (_, i) => i)

describe('attestation key, quote and PCRs on swtpm', () => {
  let sw: Swtpm
  let dir: string
  const file = (n: string) => path.join(dir, n)
  beforeAll(async () => {
    sw = await startSwtpm()
    dir = mkdtempSync(path.join(tmpdir(), 'aegis-quote-'))
  })
  afterAll(async () => {
    await sw?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('creates and persists an ECC P-256 AK at 0x81008001, then re-uses it', async () => {
    const ak = await withTpm(sw, (tpm) => ensureAttestationKey(tpm))
    expect(ak).toMatchObject({ handle: 0x81008001, created: true })
    expect(ak.pub).toMatchObject({
      type: 'ecc',
      curve: 'P-256',
      nameAlg: 'sha256',
      scheme: { scheme: 'ecdsa', hashAlg: 'sha256' },
      attrs: {
        fixedTPM: true,
        fixedParent: true,
        sensitiveDataOrigin: true,
        userWithAuth: true,
        restricted: true,
        sign: true,
        decrypt: false,
      },
    })
    await expectNothingLoaded(sw)
    rawTool(sw, 'tpm2_readpublic', ['-c', '0x81008001', '-o', file('ak-tools.pub')])
    const again = await withTpm(sw, (tpm) => ensureAttestationKey(tpm))
    expect(again.created).toBe(false)
    expect(toHex(again.name)).toBe(toHex(ak.name))
    expect(toHex(again.public)).toBe(toHex(readFileSync(file('ak-tools.pub'))))
  })

  it('creates an RSA-2048 RSASSA-SHA256 AK on request', async () => {
    const ak = await withTpm(sw, (tpm) =>
      ensureAttestationKey(tpm, { handle: 0x81008002, alg: 'rsa' }),
    )
    expect(ak.created).toBe(true)
    expect(ak.pub).toMatchObject({
      type: 'rsa',
      keyBits: 2048,
      scheme: { scheme: 'rsassa', hashAlg: 'sha256' },
    })
    await expectNothingLoaded(sw)
  })

  it('refuses a handle holding another kind of key unless asked to rotate', async () => {
    expect(
      await aegisCode(
        withTpm(sw, (tpm) => ensureAttestationKey(tpm, { handle: 0x81008002, alg: 'ecc' })),
      ),
    ).toBe('ERR_CONFIG')
    expect(
      await aegisCode(withTpm(sw, (tpm) => ensureAttestationKey(tpm, { handle: 0x81010001 }))),
    ).toBe('ERR_CONFIG')
    expect(
      await aegisCode(withTpm(sw, (tpm) => ensureAttestationKey(tpm, { handle: 0x80000001 }))),
    ).toBe('ERR_CONFIG')
    const first = await withTpm(sw, (tpm) => ensureAttestationKey(tpm, { handle: 0x81008003 }))
    const rotated = await withTpm(sw, (tpm) =>
      ensureAttestationKey(tpm, { handle: 0x81008003, rotate: true }),
    )
    expect(rotated.created).toBe(true)
    expect(toHex(rotated.name)).not.toBe(toHex(first.name))
    await expectNothingLoaded(sw)
  })

  for (const [alg, handle] of [
    ['ecc', 0x81008001],
    ['rsa', 0x81008002],
  ] as const) {
    it(`quotes with the ${alg} AK in its own scheme, verified by tpm2_checkquote`, async () => {
      const nonce = crypto.getRandomValues(new Uint8Array(32))
      const { ak, q, pcrs } = await withTpm(sw, async (tpm) => {
        const ak = await ensureAttestationKey(tpm, { handle, alg })
        const q = await quote(tpm, handle, nonce, SELECTION)
        const pcrs = await readPcrs(tpm, SELECTION)
        return { ak, q, pcrs }
      })
      await expectNothingLoaded(sw)
      const attest = parseTpmsAttest(q.attest)
      expect(attest.type).toBe('quote')
      expect(toHex(attest.extraData)).toBe(toHex(nonce))
      expect(parseTpmtSignature(q.signature).sigAlg).toBe(alg === 'ecc' ? 'ecdsa' : 'rsassa')

      writeFileSync(file(`${alg}.pub`), ak.public)
      writeFileSync(file(`${alg}.attest`), q.attest)
      writeFileSync(file(`${alg}.sig`), q.signature)
      writeFileSync(
        file(`${alg}.pcrs`),
        marshalTpm2ToolsPcrFile({ selection: SELECTION, values: pcrs }),
      )
      const check = (n: Uint8Array) =>
        rawTool(sw, 'tpm2_checkquote', [
          '-u',
          file(`${alg}.pub`),
          '-m',
          file(`${alg}.attest`),
          '-s',
          file(`${alg}.sig`),
          '-f',
          file(`${alg}.pcrs`),
          '-g',
          'sha256',
          '-q',
          toHex(n),
        ])
      expect(() => check(nonce)).not.toThrow()
      const other = nonce.slice()
      other[0] ^= 1
      expect(() => check(other)).toThrow()
    })
  }

  it('reads all 24 SHA-256 PCRs over several PCR_Read calls, equal to tpm2_pcrread', async () => {
    let calls = 0
    const values = await withTpm(sw, async (tpm) => {
      const spy = vi.spyOn(tpm, 'pcrRead')
      const v = await readPcrs(tpm, [{ hashAlg: 'sha256', pcrs: ALL24 }])
      calls = spy.mock.calls.length
      return v
    })
    expect(calls).toBeGreaterThanOrEqual(3) // a TPM answers at most 8 digests per call
    const expected = pcrreadValues(sw, 'sha256', ALL24)
    expect(Object.keys(expected)).toHaveLength(24)
    for (const i of ALL24) expect(toHex(values.sha256![i]!), `PCR ${i}`).toBe(expected[i])
  })

  it('refuses a PCR bank the TPM has not allocated', async () => {
    expect(
      await aegisCode(withTpm(sw, (tpm) => readPcrs(tpm, [{ hashAlg: 'sha1', pcrs: [0] }]))),
    ).toBe('ERR_CONFIG')
  })

  it('extends PCR 16 as tpm2_pcrread and SHA-256(old || digest) say', async () => {
    const d = sha256(utf8('gnss:ublox-m8:fw-3.01'))
    const before = await withTpm(sw, (tpm) => readPcrs(tpm, [{ hashAlg: 'sha256', pcrs: [16] }]))
    await withTpm(sw, (tpm) => extendPcr(tpm, 16, d))
    const want = toHex(sha256(concat(before.sha256![16]!, d)))
    expect(pcrreadValues(sw, 'sha256', [16])[16]).toBe(want)
    // And the other way round: tpm2-tools extends, the client reads.
    const d2 = sha256(utf8('second'))
    rawTool(sw, 'tpm2_pcrextend', [`16:sha256=${toHex(d2)}`])
    const after = await withTpm(sw, (tpm) => readPcrs(tpm, [{ hashAlg: 'sha256', pcrs: [16] }]))
    expect(toHex(after.sha256![16]!)).toBe(toHex(sha256(concat(fromHex(want), d2))))
    expect(await aegisCode(withTpm(sw, (tpm) => extendPcr(tpm, 16, d.slice(1))))).toBe(
      'ERR_INPUT_MALFORMED',
    )
  })
})

/**
 * A transport that answers TPM2_PCR_Read like a TPM returning at most `perCall` PCRs per call,
 * with value byte = 16 * bank number + PCR index, and an update counter scripted per call.
 */
function scriptedPcrTpm(perCall: number, counters: number[]): { tpm: Tpm; calls: () => number } {
  let call = 0
  const transport: TpmTransport = {
    async send(cmd) {
      const req = readTpmlPcrSelection(new ByteReader(cmd.subarray(10)))
      const answered: PcrSelection[] = []
      const digests: Uint8Array[] = []
      for (const s of req) {
        const take = s.pcrs.slice(0, Math.max(0, perCall - digests.length))
        if (take.length === 0) continue
        answered.push({ hashAlg: s.hashAlg, pcrs: take })
        const len = s.hashAlg === 'sha384' ? 48 : 32
        for (const p of take)
          digests.push(new Uint8Array(len).fill((s.hashAlg === 'sha384' ? 32 : 16) + p))
      }
      const body = new ByteWriter()
        .u32(counters[Math.min(call, counters.length - 1)]!)
        .bytes(marshalTpmlPcrSelection(answered))
        .bytes(marshalTpmlDigest(digests))
        .finish()
      call++
      return new ByteWriter()
        .u16(0x8001)
        .u32(10 + body.length)
        .u32(0)
        .bytes(body)
        .finish()
    },
    async close() {},
  }
  return { tpm: new Tpm(transport), calls: () => call }
}

describe('readPcrs loop (scripted PCR_Read answers)', () => {
  const sel: PcrSelection[] = [
    { hashAlg: 'sha256', pcrs: [0, 1, 2, 3, 15] },
    { hashAlg: 'sha384', pcrs: [0, 7] },
  ]

  it('asks again for what the TPM left out, across banks', async () => {
    const { tpm, calls } = scriptedPcrTpm(3, [7])
    const v = await readPcrs(tpm, sel)
    expect(calls()).toBe(3)
    expect(Object.keys(v.sha256!).map(Number)).toEqual([0, 1, 2, 3, 15])
    expect(v.sha256![15]![0]).toBe(16 + 15)
    expect(v.sha384![7]).toEqual(new Uint8Array(48).fill(32 + 7))
  })

  it('starts over when pcrUpdateCounter moves between calls', async () => {
    const { tpm, calls } = scriptedPcrTpm(3, [1, 2, 2, 2])
    const v = await readPcrs(tpm, sel)
    expect(calls()).toBe(5) // 2 calls of the abandoned pass, 3 of the consistent one
    expect(Object.keys(v.sha384!).map(Number)).toEqual([0, 7])
  })

  it('gives up with ERR_TPM_RESPONSE when PCRs never hold still', async () => {
    const { tpm } = scriptedPcrTpm(
      1,
      Array.from({ length: 100 }, (_, i) => i),
    )
    expect(await aegisCode(readPcrs(tpm, sel))).toBe('ERR_TPM_RESPONSE')
  })
})
