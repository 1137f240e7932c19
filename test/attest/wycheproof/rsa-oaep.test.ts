/**
 * Wycheproof RSAES-OAEP decryption vectors (google-wycheproof 0.9, Apache-2.0): 2048-bit key,
 * SHA-256 with MGF1-SHA-256. Each ciphertext is decrypted with rsaOaepDecrypt ("valid" must yield
 * the vector's message, "invalid" must throw a typed error), and every valid message is
 * round-tripped through rsaOaepEncrypt + rsaOaepDecrypt with the vector's label.
 * This file has no "acceptable" vectors.
 */
import { describe, expect, it } from 'vitest'
import oaep from '@shared/vectors/wycheproof/rsa_oaep_2048_sha256_mgf1sha256_test.json'
import { bytesEqual, fromHex } from '../../../attest/bytes/encoding.ts'
import { rsaOaepDecrypt, rsaOaepEncrypt } from '../../../attest/crypto/rsa.ts'
import { judge, run } from './verdict.ts'

describe('Wycheproof RSAES-OAEP', () => {
  const g0 = oaep.testGroups[0]!
  const priv = { n: fromHex(g0.privateKey!.modulus), d: fromHex(g0.privateKey!.privateExponent) }
  const pub = { n: priv.n, e: BigInt('0x' + g0.privateKey!.publicExponent) }

  it('2048 sha256: decrypts every valid ciphertext and rejects every invalid one', () => {
    const failures: string[] = []
    let n = 0
    let accepted = 0
    for (const g of oaep.testGroups) {
      expect(g.sha).toBe('SHA-256')
      const key = { n: fromHex(g.privateKey!.modulus), d: fromHex(g.privateKey!.privateExponent) }
      for (const t of g.tests) {
        n++
        const o = run(
          () => rsaOaepDecrypt(key, 'sha256', fromHex(t.label!), fromHex(t.ct!)),
          fromHex(t.msg),
        )
        if (o.accepted) accepted++
        const f = judge(t, o, ['ERR_INPUT_MALFORMED'])
        if (f) failures.push(f)
      }
    }
    expect(failures).toEqual([])
    expect(n).toBe(oaep.numberOfTests)
    expect(n).toBe(37)
    expect(accepted).toBe(18)
  })

  it('round-trips every valid message through encrypt and decrypt', () => {
    let n = 0
    for (const t of g0.tests.filter((t) => t.result === 'valid')) {
      const label = fromHex(t.label!)
      const msg = fromHex(t.msg)
      const c = rsaOaepEncrypt(pub, 'sha256', label, msg)
      expect(c.length).toBe(256)
      expect(bytesEqual(rsaOaepDecrypt(priv, 'sha256', label, c), msg)).toBe(true)
      n++
    }
    expect(n).toBe(18)
  })
})
