/**
 * makeCredential end to end: the blob it makes is opened by an independent TPM2_ActivateCredential
 * (./reference.ts, WebCrypto) with the EK private keys from the tpm-test-vectors suite, and has the
 * sizes tpm2_makecredential produces for the swtpm EKs in shared/vectors/tpm2-tools.
 * The real TPM check is test/node/credential-activate.test.ts.
 */
import ekEccPub from '@shared/vectors/tpm2-tools/ek-ecc.pub?bytes'
import ekRsaPub from '@shared/vectors/tpm2-tools/ek-rsa.pub?bytes'
import akRsaName from '@shared/vectors/tpm2-tools/ak-rsa.name?bytes'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../../../attest/bytes/encoding.ts'
import { makeCredential } from '../../../attest/credential/make-credential.ts'
import { AegisError, type ErrorCode } from '../../../attest/errors.ts'
import { parseTpm2bPublic, parseTpmtPublic } from '../../../attest/tpm/public.ts'
import type { TpmPublic } from '../../../attest/tpm/types.ts'
import eccVectors from '../../vectors/credential/ecc-labeled-encaps.json'
import rsaVectors from '../../vectors/credential/rsa-labeled-encaps.json'
import p521Vectors from '../../vectors/credential/ecc-p521-labeled-encaps.json'
import rsa4096Vectors from '../../vectors/credential/rsa4096-labeled-encaps.json'
import { recoverSeed, unwrapCredential } from './reference.ts'

const secret = fromHex('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff')
const NAME_SHA256 = fromHex('000b' + 'ab'.repeat(32))
const NAME_SHA384 = fromHex('000c' + 'cd'.repeat(48))

function counter(): (n: number) => Uint8Array {
  let c = 1
  return (n) => Uint8Array.from({ length: n }, () => (c = (c * 73 + 11) & 0xff))
}

function code(f: () => unknown): ErrorCode | 'ok' {
  try {
    f()
    return 'ok'
  } catch (e) {
    if (!(e instanceof AegisError)) throw e
    return e.code
  }
}

async function activate(
  key: TpmPublic,
  priv: Uint8Array,
  name: Uint8Array,
  blob: Uint8Array,
  encSecret: Uint8Array,
): Promise<string> {
  const seed = await recoverSeed(key, priv, encSecret, 'IDENTITY')
  return toHex(await unwrapCredential(key, seed, name, blob))
}

const keys = [
  rsaVectors.find((v) => v.Name.startsWith('12_R_2048_SHA256'))!,
  rsaVectors.find((v) => v.Name.includes('_R_3072_SHA384_128'))!,
  eccVectors.find((v) => v.Name.includes('_R_P256_SHA256_256'))!,
  eccVectors.find((v) => v.Name.includes('_R_P384_SHA384_256'))!,
  eccVectors.find((v) => v.Name.includes('_R_P384_SHA256_128'))!,
  p521Vectors.find((v) => v.Name.includes('_R_P521_SHA512_256'))!,
  rsa4096Vectors.find((v) => v.Name.includes('_R_4096_SHA384_256'))!,
]

describe('makeCredential', () => {
  for (const t of keys) {
    it(`is opened by an independent ActivateCredential (${t.Name})`, async () => {
      const ek = parseTpmtPublic(fromHex(t.PublicKey))
      const priv = fromHex(t.PrivateKey)
      for (const name of [NAME_SHA256, NAME_SHA384]) {
        const s = secret.subarray(0, ek.nameAlg === 'sha1' ? 20 : 32)
        const c = makeCredential({ ek, objectName: name, secret: s })
        expect(await activate(ek, priv, name, c.credentialBlob, c.encryptedSecret)).toBe(toHex(s))
      }
    })
  }

  it('binds the object name and the blob: wrong name or a flipped byte fails integrity', async () => {
    const t = keys[0]!
    const ek = parseTpmtPublic(fromHex(t.PublicKey))
    const priv = fromHex(t.PrivateKey)
    const c = makeCredential({ ek, objectName: NAME_SHA256, secret })
    const other = NAME_SHA256.slice()
    other[5] ^= 1
    await expect(activate(ek, priv, other, c.credentialBlob, c.encryptedSecret)).rejects.toThrow(
      'integrity',
    )
    for (const at of [3, c.credentialBlob.length - 1]) {
      const blob = c.credentialBlob.slice()
      blob[at] ^= 0x80
      await expect(activate(ek, priv, NAME_SHA256, blob, c.encryptedSecret)).rejects.toThrow(
        'integrity',
      )
    }
  })

  it('has the sizes tpm2_makecredential gives for the swtpm EKs (32-byte secret)', () => {
    // tpm2_makecredential -T none on shared/vectors/tpm2-tools/ek-{rsa,ecc}.pub (tpm2-tools 5.4):
    // RSA: TPM2B_ID_OBJECT size 0x44, TPM2B_ENCRYPTED_SECRET size 0x100;
    // P-384: TPM2B_ID_OBJECT size 0x54, TPM2B_ENCRYPTED_SECRET size 0x64.
    const rsa = makeCredential({ ek: parseTpm2bPublic(ekRsaPub), objectName: akRsaName, secret })
    expect([rsa.credentialBlob.length, rsa.encryptedSecret.length]).toEqual([0x44, 0x100])
    const ecc = makeCredential({ ek: parseTpm2bPublic(ekEccPub), objectName: akRsaName, secret })
    expect([ecc.credentialBlob.length, ecc.encryptedSecret.length]).toEqual([0x54, 0x64])
    // integrityHMAC is a TPM2B_DIGEST of the EK's nameAlg; the rest is the encrypted TPM2B.
    expect([rsa.credentialBlob[0], rsa.credentialBlob[1]]).toEqual([0, 32])
    expect([ecc.credentialBlob[0], ecc.credentialBlob[1]]).toEqual([0, 48])
    expect([ecc.encryptedSecret[0], ecc.encryptedSecret[1]]).toEqual([0, 48])
  })

  it('is deterministic for a given random source and differs per object name', () => {
    const ek = parseTpm2bPublic(ekEccPub)
    const a = makeCredential({ ek, objectName: akRsaName, secret, random: counter() })
    const b = makeCredential({ ek, objectName: akRsaName, secret, random: counter() })
    expect(toHex(a.credentialBlob)).toBe(toHex(b.credentialBlob))
    expect(toHex(a.encryptedSecret)).toBe(toHex(b.encryptedSecret))
    const c = makeCredential({ ek, objectName: NAME_SHA256, secret, random: counter() })
    expect(toHex(c.encryptedSecret)).toBe(toHex(a.encryptedSecret))
    expect(toHex(c.credentialBlob)).not.toBe(toHex(a.credentialBlob))
  })

  it('refuses EKs that are not restricted decrypt keys with a symmetric algorithm', () => {
    const ek = parseTpm2bPublic(ekRsaPub)
    const run = (e: TpmPublic) =>
      code(() => makeCredential({ ek: e, objectName: akRsaName, secret }))
    expect(run(ek)).toBe('ok')
    expect(run({ ...ek, attrs: { ...ek.attrs, restricted: false } })).toBe('ERR_EK_ATTRIBUTES')
    expect(run({ ...ek, attrs: { ...ek.attrs, decrypt: false } })).toBe('ERR_EK_ATTRIBUTES')
    expect(run({ ...ek, attrs: { ...ek.attrs, sign: true } })).toBe('ERR_EK_ATTRIBUTES')
    expect(run({ ...ek, symmetric: { alg: 'null' } })).toBe('ERR_EK_ATTRIBUTES')
  })

  it('refuses bad names, secret sizes, keys and random sources with ERR_CREDENTIAL', () => {
    const ek = parseTpm2bPublic(ekRsaPub)
    const ecc = parseTpm2bPublic(ekEccPub)
    const run = (o: Partial<Parameters<typeof makeCredential>[0]>) =>
      code(() => makeCredential({ ek, objectName: akRsaName, secret, ...o }))
    expect(run({ secret: new Uint8Array(0) })).toBe('ERR_CREDENTIAL')
    expect(run({ secret: new Uint8Array(33) })).toBe('ERR_CREDENTIAL')
    expect(run({ ek: ecc, secret: new Uint8Array(48) })).toBe('ok')
    expect(run({ ek: ecc, secret: new Uint8Array(49) })).toBe('ERR_CREDENTIAL')
    expect(run({ objectName: akRsaName.subarray(0, 33) })).toBe('ERR_CREDENTIAL')
    expect(run({ objectName: fromHex('0010' + '00'.repeat(32)) })).toBe('ERR_CREDENTIAL')
    expect(run({ objectName: new Uint8Array(1) })).toBe('ERR_CREDENTIAL')
    expect(run({ random: (n) => new Uint8Array(n - 1) })).toBe('ERR_CREDENTIAL')
    if (ecc.type !== 'ecc') throw new Error('expected the ECC EK')
    expect(run({ ek: { ...ecc, curve: 'P-521' } })).toBe('ERR_CREDENTIAL')
    expect(run({ ek: { ...ecc, x: ecc.y } })).toBe('ERR_CREDENTIAL')
    if (ek.type !== 'rsa') throw new Error('expected the RSA EK')
    expect(run({ ek: { ...ek, modulus: ek.modulus.subarray(0, 128), keyBits: 1024 } })).toBe(
      'ERR_CREDENTIAL',
    )
  })
})
