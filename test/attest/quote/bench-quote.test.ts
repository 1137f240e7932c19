// The quote benchmark cases (bench/cases/quote.ts) run inside workerd and verify what they time.
import { describe, expect, it } from 'vitest'
import { cases } from '../../../bench/cases/quote.ts'
import type { QuoteResult } from '../../../attest/quote/verify-quote.ts'

describe('bench/cases/quote.ts', () => {
  it('exports the two named cases, each verifying a quote with its PCR digest', async () => {
    expect(cases.map((c) => c.name)).toEqual(['verify.quote.ecc-p256', 'verify.quote.rsa-2048'])
    for (const c of cases) {
      const ctx = await c.setup()
      const r = (await c.run(ctx)) as QuoteResult
      expect(r.attest.type).toBe('quote')
      expect(Object.keys(r.pcrs!.sha256!)).toHaveLength(9)
    }
  })
})
