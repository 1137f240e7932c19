/**
 * Secret sharing (the seed and TPM2B_ENCRYPTED_SECRET of MakeCredential) against the
 * tpm-test-vectors labeled-encapsulation vectors, which its generator checked against a TPM
 * simulator (test/vectors/credential/README.md), and by round trip through an independent
 * WebCrypto decapsulation (./reference.ts).
 */
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../../../attest/bytes/encoding.ts'
import {
  shareSecret,
  shareSecretEcc,
  shareSecretRsa,
} from '../../../attest/credential/share-secret.ts'
import { AegisError } from '../../../attest/errors.ts'
import { parseTpmtPublic } from '../../../attest/tpm/public.ts'
import type { EccPublic } from '../../../attest/tpm/types.ts'
import eccVectors from '../../vectors/credential/ecc-labeled-encaps.json'
import rsaVectors from '../../vectors/credential/rsa-labeled-encaps.json'
import p521Vectors from '../../vectors/credential/ecc-p521-labeled-encaps.json'
import rsa4096Vectors from '../../vectors/credential/rsa4096-labeled-encaps.json'
import { recoverSeed } from './reference.ts'
import { code } from '../../helpers/error-code.ts'

function counter(): (n: number) => Uint8Array {
  let c = 0
  return (n) => Uint8Array.from({ length: n }, () => (c = (c * 31 + 7) & 0xff))
}

describe('shareSecretEcc', () => {
  it('matches every P-256 / P-384 vector (seed and encrypted point)', () => {
    expect(eccVectors).toHaveLength(63)
    for (const t of eccVectors) {
      const key = parseTpmtPublic(fromHex(t.PublicKey))
      expect(key.type, t.Name).toBe('ecc')
      const got = shareSecretEcc(key as EccPublic, t.Label, fromHex(t.EphemeralPrivate))
      expect(toHex(got.seed), t.Name).toBe(t.Secret)
      expect(toHex(got.encryptedSecret), t.Name).toBe(t.Ciphertext)
    }
  })

  it('matches every P-521 vector (EK template H-4)', () => {
    expect(p521Vectors).toHaveLength(37)
    for (const t of p521Vectors) {
      const key = parseTpmtPublic(fromHex(t.PublicKey)) as EccPublic
      expect(key.curve, t.Name).toBe('P-521')
      const got = shareSecretEcc(key, t.Label, fromHex(t.EphemeralPrivate))
      expect(toHex(got.seed), t.Name).toBe(t.Secret)
      expect(toHex(got.encryptedSecret), t.Name).toBe(t.Ciphertext)
    }
  })

  it('refuses unsupported curves and points off the curve', () => {
    const t = eccVectors.find((v) => v.Name.includes('_R_P256_SHA256'))!
    const key = parseTpmtPublic(fromHex(t.PublicKey)) as EccPublic
    const d = fromHex(t.EphemeralPrivate)
    expect(code(() => shareSecretEcc({ ...key, curve: 'P-192' as never }, 'IDENTITY', d))).toBe(
      'ERR_KEY_UNSUPPORTED',
    )
    const y = key.y.slice()
    y[31] ^= 1
    expect(code(() => shareSecretEcc({ ...key, y }, 'IDENTITY', d))).toBe('ERR_KEY_INVALID')
  })
})

describe('shareSecretRsa', () => {
  it('matches every restricted RSA-2048 / 3072 vector', () => {
    expect(rsaVectors).toHaveLength(41)
    for (const t of rsaVectors) {
      const key = parseTpmtPublic(fromHex(t.PublicKey))
      expect(key.type, t.Name).toBe('rsa')
      if (key.type !== 'rsa') continue
      const got = shareSecretRsa(key, t.Label, fromHex(t.Secret), fromHex(t.OAEPSalt))
      expect(toHex(got.encryptedSecret), t.Name).toBe(t.Ciphertext)
    }
  })
})

describe('shareSecretRsa, RSA-4096 (EK template H-7)', () => {
  it('matches every restricted RSA-4096 vector', () => {
    expect(rsa4096Vectors).toHaveLength(13)
    for (const t of rsa4096Vectors) {
      const key = parseTpmtPublic(fromHex(t.PublicKey))
      if (key.type !== 'rsa') throw new Error(t.Name)
      expect(key.keyBits, t.Name).toBe(4096)
      const got = shareSecretRsa(key, t.Label, fromHex(t.Secret), fromHex(t.OAEPSalt))
      expect(toHex(got.encryptedSecret), t.Name).toBe(t.Ciphertext)
    }
  })
})

describe('shareSecret with fresh randomness', () => {
  const picks = [
    rsaVectors.find((v) => v.Name.startsWith('12_R_2048_SHA256'))!,
    rsaVectors.find((v) => v.Name.includes('_R_3072_SHA384'))!,
    eccVectors.find((v) => v.Name.includes('_R_P256_SHA256'))!,
    eccVectors.find((v) => v.Name.includes('_R_P384_SHA384'))!,
    p521Vectors.find((v) => v.Name.includes('_R_P521_SHA512'))!,
    rsa4096Vectors.find((v) => v.Name.includes('_R_4096_SHA384'))!,
  ]
  for (const t of picks) {
    it(`decapsulates with the private key (${t.Name})`, async () => {
      const key = parseTpmtPublic(fromHex(t.PublicKey))
      const a = shareSecret(key, 'IDENTITY')
      const b = shareSecret(key, 'IDENTITY')
      expect(toHex(a.seed)).not.toBe(toHex(b.seed))
      const seed = await recoverSeed(key, fromHex(t.PrivateKey), a.encryptedSecret, 'IDENTITY')
      expect(toHex(seed)).toBe(toHex(a.seed))
      // Deterministic for a deterministic random source.
      expect(toHex(shareSecret(key, 'IDENTITY', counter()).encryptedSecret)).toBe(
        toHex(shareSecret(key, 'IDENTITY', counter()).encryptedSecret),
      )
    })
  }

  it('refuses a random source that returns the wrong length', () => {
    const key = parseTpmtPublic(fromHex(rsaVectors[0]!.PublicKey))
    expect(() => shareSecret(key, 'IDENTITY', () => new Uint8Array(3))).toThrow(AegisError)
  })
})
