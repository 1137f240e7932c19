/**
 * EK and NV against a freshly provisioned swtpm, cross-checked with tpm2-tools:
 * CreatePrimary from the L-1 / H-3 templates reproduces exactly the public areas swtpm_setup
 * persisted at 0x81010001 / 0x81010016 (tpm2_readpublic -o), the EK certificates read from NV
 * equal tpm2_nvread's bytes (also in small chunks), and a non-persistent EK is re-derived.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toHex } from '../../../attest/bytes/encoding.ts'
import { AegisError } from '../../../attest/errors.ts'
import { objectName } from '../../../attest/tpm/name.ts'
import { TPM_RH } from '../../../attest/tpm/constants.ts'
import { getEndorsementKey } from '../../../agent/tpm/ek.ts'
import { readNvIndex } from '../../../agent/tpm/read-nv.ts'
import { EK_PROFILES } from '../../../agent/tpm/templates/ek-templates.ts'
import { startSwtpm, type Swtpm } from '../helpers/swtpm.ts'
import { expectNothingLoaded, withTpm } from './fixtures.ts'

describe('endorsement keys on swtpm', () => {
  let sw: Swtpm
  let dir: string
  const file = (n: string) => path.join(dir, n)
  beforeAll(async () => {
    sw = await startSwtpm()
    dir = mkdtempSync(path.join(tmpdir(), 'aegis-ek-'))
    sw.tools('tpm2_readpublic', ['-c', '0x81010001', '-o', file('ek-rsa.pub')])
    sw.tools('tpm2_readpublic', ['-c', '0x81010016', '-o', file('ek-ecc.pub')])
    sw.tools('tpm2_nvread', ['0x1c00002', '-o', file('ek-rsa.crt')])
    sw.tools('tpm2_nvread', ['0x1c00016', '-o', file('ek-ecc.crt')])
  })
  afterAll(async () => {
    await sw?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('answers Startup(CLEAR) on a started TPM as already started', async () => {
    expect(await withTpm(sw, (tpm) => tpm.startup())).toBe('already-started')
  })

  for (const kind of ['rsa', 'ecc'] as const) {
    const tmpl = kind === 'rsa' ? 'L-1' : 'H-3'
    it(`CreatePrimary(${tmpl}) gives the persistent EK's exact public area`, async () => {
      const created = await withTpm(sw, async (tpm) => {
        const c = await tpm.createPrimary({
          hierarchy: TPM_RH.ENDORSEMENT,
          template: EK_PROFILES[kind].template.bytes,
        })
        return tpm.withFlushed(c.handle, async () => c)
      })
      const expected = readFileSync(file(`ek-${kind}.pub`))
      expect(toHex(created.public)).toBe(toHex(expected))
      expect(toHex(created.name)).toBe(toHex(objectName(created.pub)))
      expect(created.pub.nameAlg).toBe(kind === 'rsa' ? 'sha256' : 'sha384')
      await expectNothingLoaded(sw)
    })

    it(`getEndorsementKey('${kind}') returns the persistent EK and its NV cert`, async () => {
      const ek = await withTpm(sw, (tpm) => getEndorsementKey(tpm, kind))
      expect(ek.handle).toBe(kind === 'rsa' ? 0x81010001 : 0x81010016)
      expect(toHex(ek.public)).toBe(toHex(readFileSync(file(`ek-${kind}.pub`))))
      expect(ek.cert).toBeDefined()
      expect(toHex(ek.cert!)).toBe(toHex(readFileSync(file(`ek-${kind}.crt`))))
      expect(ek.cert![0]).toBe(0x30) // DER SEQUENCE
      await expectNothingLoaded(sw)
    })
  }

  it('reads NV in chunks smaller than the certificate', async () => {
    const index = 0x01c00002
    const [chunked, max] = await withTpm(sw, async (tpm) => {
      const pub = await tpm.nvReadPublic(index)
      const data = await tpm.nvRead({ index, authHandle: index, size: pub.dataSize, maxChunk: 100 })
      return [data, await tpm.nvBufferMax()] as const
    })
    expect(chunked.length).toBeGreaterThan(900)
    expect(toHex(chunked)).toBe(toHex(readFileSync(file('ek-rsa.crt'))))
    expect(max).toBeGreaterThanOrEqual(512)
  })

  it('returns no certificate for an NV index that does not exist', async () => {
    expect(await withTpm(sw, (tpm) => readNvIndex(tpm, 0x01c0000a))).toBeUndefined()
  })

  it('reports ReadPublic of an empty handle as ERR_TPM_RESPONSE TPM_RC_HANDLE', async () => {
    const e = await withTpm(sw, (tpm) => tpm.readPublic(0x81000777)).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(AegisError)
    expect((e as AegisError).code).toBe('ERR_TPM_RESPONSE')
    expect((e as AegisError).detail).toMatchObject({ rc: 0x18b, command: 'ReadPublic' })
  })

  // Changes the TPM's state: keep last.
  it('re-derives an EK that is not persistent (same key, no handle left loaded)', async () => {
    sw.tools('tpm2_evictcontrol', ['-C', 'o', '-c', '0x81010001'])
    const ek = await withTpm(sw, (tpm) => getEndorsementKey(tpm, 'rsa'))
    expect(ek.handle).toBeUndefined()
    expect(toHex(ek.public)).toBe(toHex(readFileSync(file('ek-rsa.pub'))))
    expect(toHex(ek.cert!)).toBe(toHex(readFileSync(file('ek-rsa.crt'))))
    await expectNothingLoaded(sw)
  })
})
