/**
 * Wycheproof ECDSA verification vectors (google-wycheproof 0.9rc5, Apache-2.0, copied into
 * shared/vectors/wycheproof): P-256/SHA-256 and P-384/SHA-384, DER and P1363 encodings, through
 * the public API (digest -> signature decoder -> verifyEcdsa with the default noble backend).
 * None of these files has "acceptable" vectors; if one appears it fails until a decision is made.
 */
import { describe, expect, it } from 'vitest'
import p256der from '@shared/vectors/wycheproof/ecdsa_secp256r1_sha256_test.json'
import p256p1363 from '@shared/vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json'
import p384der from '@shared/vectors/wycheproof/ecdsa_secp384r1_sha384_test.json'
import p384p1363 from '@shared/vectors/wycheproof/ecdsa_secp384r1_sha384_p1363_test.json'
import { fromHex } from '../../../attest/bytes/encoding.ts'
import { digest } from '../../../attest/crypto/hash.ts'
import {
  getEcdsaBackend,
  parseDerEcdsaSignature,
  splitP1363Signature,
  verifyEcdsa,
} from '../../../attest/crypto/ecdsa.ts'
import type { EccCurve, HashAlg } from '../../../attest/tpm/types.ts'
import { judge, run } from './verdict.ts'

const suites: Array<{
  name: string
  file: typeof p256der
  curve: EccCurve
  hash: HashAlg
  der: boolean
  count: number
}> = [
  {
    name: 'secp256r1 sha256 DER',
    file: p256der,
    curve: 'P-256',
    hash: 'sha256',
    der: true,
    count: 484,
  },
  {
    name: 'secp256r1 sha256 P1363',
    file: p256p1363,
    curve: 'P-256',
    hash: 'sha256',
    der: false,
    count: 262,
  },
  {
    name: 'secp384r1 sha384 DER',
    file: p384der,
    curve: 'P-384',
    hash: 'sha384',
    der: true,
    count: 504,
  },
  {
    name: 'secp384r1 sha384 P1363',
    file: p384p1363,
    curve: 'P-384',
    hash: 'sha384',
    der: false,
    count: 280,
  },
]

const CURVE_NAME: Record<string, EccCurve> = { secp256r1: 'P-256', secp384r1: 'P-384' }
const HASH_NAME: Record<string, HashAlg> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384' }

describe('Wycheproof ECDSA', () => {
  it('runs with the noble backend by default', () => {
    expect(getEcdsaBackend().name).toBe('noble')
  })

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
