/**
 * Wycheproof RSASSA-PKCS1-v1_5 verification vectors (google-wycheproof 0.9rc5, Apache-2.0):
 * 2048- and 3072-bit moduli with SHA-256, including the e = 3 groups ("SmallPublicKey", valid:
 * verification does not depend on e, and the full-block comparison defeats the e = 3 forgeries).
 *
 * Acceptable vectors, decided per flag:
 *  - MissingNull (DigestInfo without the NULL parameters): REJECTED. verifyRsaPkcs1v15 compares
 *    against the one encoding RFC 8017 §9.2 note 1 prescribes; TPMs and CAs emit the NULL, and a
 *    second accepted encoding would only widen what a forger may aim at.
 */
import { describe, expect, it } from 'vitest'
import rsa2048 from '@shared/vectors/wycheproof/rsa_signature_2048_sha256_test.json'
import rsa3072 from '@shared/vectors/wycheproof/rsa_signature_3072_sha256_test.json'
import { fromHex } from '../../../attest/bytes/encoding.ts'
import { digest } from '../../../attest/crypto/hash.ts'
import { verifyRsaPkcs1v15 } from '../../../attest/crypto/rsa.ts'
import { judge, run } from './verdict.ts'

const ACCEPTABLE = { MissingNull: false }

describe('Wycheproof RSASSA-PKCS1-v1_5', () => {
  for (const [name, file, bits, count] of [
    ['2048 sha256', rsa2048, 2048, 259],
    ['3072 sha256', rsa3072, 3072, 259],
  ] as const) {
    it(`${name}: every vector has the expected outcome`, () => {
      const failures: string[] = []
      let n = 0
      let accepted = 0
      for (const g of file.testGroups) {
        expect(g.sha).toBe('SHA-256')
        const pub = {
          n: fromHex(g.publicKey.modulus!),
          e: BigInt('0x' + g.publicKey.publicExponent!),
        }
        for (const t of g.tests) {
          n++
          const o = run(() =>
            verifyRsaPkcs1v15(pub, 'sha256', digest('sha256', fromHex(t.msg)), fromHex(t.sig!)),
          )
          if (o.accepted) accepted++
          const f = judge(t, o, [], ACCEPTABLE)
          if (f) failures.push(f)
        }
      }
      expect(failures).toEqual([])
      expect(n).toBe(file.numberOfTests)
      expect(n).toBe(count)
      expect(accepted).toBeGreaterThanOrEqual(8)
      expect(file.testGroups.every((g) => fromHex(g.publicKey.modulus!).length * 8 >= bits)).toBe(
        true,
      )
    })
  }
})
