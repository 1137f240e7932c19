import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSwtpm, type Swtpm } from './helpers/swtpm.ts'

describe('swtpm test helper', () => {
  let tpm: Swtpm
  beforeAll(async () => {
    tpm = await startSwtpm()
  })
  afterAll(async () => tpm?.stop())

  it('provisions the RSA and P-384 EKs at their persistent handles', () => {
    const out = tpm.tools('tpm2_getcap', ['handles-persistent']).toString()
    expect(out).toContain('0x81010001')
    expect(out).toContain('0x81010016')
  })
})
