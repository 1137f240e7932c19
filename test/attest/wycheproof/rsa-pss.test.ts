/**
 * Wycheproof RSASSA-PSS verification vectors (google-wycheproof 0.9, Apache-2.0): 2048-bit modulus,
 * SHA-256, MGF1-SHA-256, salt length 32. The group's sLen is passed explicitly (a caller that
 * knows the salt length must have it enforced); a second pass with the salt length left open
 * checks that every valid vector still verifies. This file has no "acceptable" vectors.
 */
import { describe, expect, it } from 'vitest'
import pss from '@shared/vectors/wycheproof/rsa_pss_2048_sha256_mgf1_32_test.json'
import { fromHex } from '../../../attest/bytes/encoding.ts'
import { digest } from '../../../attest/crypto/hash.ts'
import { verifyRsaPss } from '../../../attest/crypto/rsa.ts'
import { judge, run } from './verdict.ts'

describe('Wycheproof RSASSA-PSS', () => {
  it('2048 sha256 mgf1 salt 32: every vector has the expected outcome', () => {
    const failures: string[] = []
    let n = 0
    let accepted = 0
    for (const g of pss.testGroups) {
      expect(g.sha).toBe('SHA-256')
      expect(g.sLen).toBe(32)
      const pub = {
        n: fromHex(g.publicKey.modulus!),
        e: BigInt('0x' + g.publicKey.publicExponent!),
      }
      for (const t of g.tests) {
        n++
        const mHash = digest('sha256', fromHex(t.msg))
        const o = run(() =>
          verifyRsaPss(pub, 'sha256', mHash, fromHex(t.sig!), { saltLength: g.sLen }),
        )
        if (o.accepted) accepted++
        const f = judge(t, o, [])
        if (f) failures.push(f)
        if (t.result === 'valid' && !verifyRsaPss(pub, 'sha256', mHash, fromHex(t.sig!))) {
          failures.push(`tcId ${t.tcId}: valid vector rejected with the salt length left open`)
        }
      }
    }
    expect(failures).toEqual([])
    expect(n).toBe(pss.numberOfTests)
    expect(n).toBe(108)
    expect(accepted).toBe(63)
  })
})
