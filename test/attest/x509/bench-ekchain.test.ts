// The EK chain benchmark cases (bench/cases/ekchain.ts) run inside workerd and verify what they time.
import { describe, expect, it } from 'vitest'
import { cases } from '../../../bench/cases/ekchain.ts'
import type { Certificate } from '../../../attest/x509/types.ts'

describe('bench/cases/ekchain.ts', () => {
  it('exports the two named cases, each verifying a three-certificate chain and the EK match', async () => {
    expect(cases.map((c) => c.name)).toEqual(['verify.ekchain.rsa', 'verify.ekchain.ecc'])
    const keyTypes: string[] = []
    for (const c of cases) {
      const ctx = await c.setup()
      const chain = (await c.run(ctx)) as Certificate[]
      expect(chain.map((x) => x.subject)).toEqual([
        'CN=unknown',
        'CN=swtpm-localca',
        'CN=swtpm-localca-rootca',
      ])
      keyTypes.push(chain[0]!.publicKey.type)
    }
    expect(keyTypes).toEqual(['rsa', 'ec'])
  })
})
