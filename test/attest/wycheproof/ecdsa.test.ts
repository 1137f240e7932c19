/**
 * Wycheproof ECDSA verification vectors (google-wycheproof 0.9rc5, Apache-2.0, copied into
 * shared/vectors/wycheproof): P-256/SHA-256 and P-384/SHA-384, DER and P1363 encodings, through
 * the public API (digest -> signature decoder -> verifyEcdsa with the default noble backend).
 * None of these files has "acceptable" vectors; if one appears it fails until a decision is made.
 */
import { describe, expect, it } from 'vitest'
import { fromHex } from '../../../attest/bytes/encoding.ts'
import { digest } from '../../../attest/crypto/hash.ts'
import {
  parseDerEcdsaSignature,
  splitP1363Signature,
  verifyEcdsa,
} from '../../../attest/crypto/ecdsa.ts'
import { judge, run } from './verdict.ts'
import { CURVE_NAME, ECDSA_SUITES, HASH_NAME } from './ecdsa-suites.ts'

const suites = ECDSA_SUITES

describe('Wycheproof ECDSA', () => {
  for (const s of suites) {
    it(`${s.name}: every vector has the expected outcome`, () => {
      const failures: string[] = []
      let count = 0
      let accepted = 0
      for (const g of s.file.testGroups) {
        // The suite's parameters are asserted, not assumed, so a swapped file cannot pass silently.
        expect(CURVE_NAME[g.publicKey.curve!]).toBe(s.curve)
        expect(HASH_NAME[g.sha]).toBe(s.hash)
        const point = fromHex(g.publicKey.uncompressed!)
        const size = (point.length - 1) / 2
        const pub = { x: point.subarray(1, 1 + size), y: point.subarray(1 + size) }
        for (const t of g.tests) {
          count++
          const o = run(() => {
            const sig = fromHex(t.sig!)
            const rs = s.der ? parseDerEcdsaSignature(sig) : splitP1363Signature(sig, s.curve)
            return verifyEcdsa(s.curve, pub, digest(s.hash, fromHex(t.msg)), rs)
          })
          if (o.accepted) accepted++
          const f = judge(t, o, ['ERR_SIG_MALFORMED'])
          if (f) failures.push(f)
        }
      }
      expect(failures).toEqual([])
      expect(count).toBe(s.file.numberOfTests)
      expect(count).toBe(s.count)
      // Guards against a judge that accepts nothing: the files hold well over a hundred valid vectors.
      expect(accepted).toBeGreaterThan(150)
    })
  }
})
