// TPM2B_PUBLIC parsing and marshalling on the tpm2-tools vectors (shared/vectors/tpm2-tools,
// produced by swtpm 0.7.1 + tpm2-tools 5.4 with shared/tools/make-tpm-evidence.sh) and on
// byte-level edits of them.
import { describe, expect, it } from 'vitest'
import akEccName from '@shared/vectors/tpm2-tools/ak-ecc.name?bytes'
import akEccPub from '@shared/vectors/tpm2-tools/ak-ecc.pub?bytes'
import akRsaName from '@shared/vectors/tpm2-tools/ak-rsa.name?bytes'
import akRsaPub from '@shared/vectors/tpm2-tools/ak-rsa.pub?bytes'
import appPub from '@shared/vectors/tpm2-tools/app.pub?bytes'
import ekEccPub from '@shared/vectors/tpm2-tools/ek-ecc.pub?bytes'
import ekRsaPub from '@shared/vectors/tpm2-tools/ek-rsa.pub?bytes'
import { concat, fromHex, toHex } from '../../../attest/bytes/encoding.ts'
import { marshalTpm2bPublic, marshalTpmtPublic } from '../../../attest/tpm/marshal-public.ts'
import { objectName } from '../../../attest/tpm/name.ts'
import { parseTpm2bPublic, parseTpmtPublic } from '../../../attest/tpm/public.ts'
import type { EccPublic, RsaPublic, TpmPublic } from '../../../attest/tpm/types.ts'
import { code } from '../../helpers/error-code.ts'

const ALL = { akEccPub, akRsaPub, appPub, ekEccPub, ekRsaPub }

/** TPMT_PUBLIC body of a TPM2B_PUBLIC vector, edited at `at`, re-wrapped. */
function edit(v: Uint8Array, at: number, bytes: number[]): Uint8Array {
  const b = v.slice(2)
  b.set(bytes, at)
  return b
}

describe('parseTpm2bPublic on the tpm2-tools vectors', () => {
  it('parses every public area and re-marshals it byte for byte', () => {
    for (const [name, v] of Object.entries(ALL)) {
      const p = parseTpm2bPublic(v)
      expect(toHex(marshalTpm2bPublic(p)), name).toBe(toHex(v))
      expect(toHex(marshalTpmtPublic(p)), name).toBe(toHex(v.subarray(2)))
      expect(toHex(p.raw), name).toBe(toHex(v.subarray(2)))
    }
  })

  it('decodes the RSA EK: restricted decrypt, AES-128-CFB, 2048-bit, default exponent', () => {
    const ek = parseTpm2bPublic(ekRsaPub) as RsaPublic
    expect(ek.type).toBe('rsa')
    expect(ek.nameAlg).toBe('sha256')
    expect(ek.attributes).toBe(0x000300b2)
    expect(ek.attrs).toMatchObject({
      fixedTPM: true,
      fixedParent: true,
      restricted: true,
      decrypt: true,
    })
    expect(ek.attrs.sign).toBe(false)
    expect(ek.attrs.userWithAuth).toBe(false)
    expect(ek.attrs.adminWithPolicy).toBe(true)
    expect(ek.symmetric).toEqual({ alg: 'aes', keyBits: 128, mode: 'cfb' })
    expect(ek.scheme).toEqual({ scheme: 'null' })
    expect(ek.keyBits).toBe(2048)
    expect(ek.exponent).toBe(65537)
    expect(ek.exponentExplicit).toBeUndefined()
    expect(ek.modulus.length).toBe(256)
    // TCG EK Credential Profile, default EK policy (PolicySecret(TPM_RH_ENDORSEMENT)).
    expect(toHex(ek.authPolicy)).toBe(
      '837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa',
    )
  })

  it('decodes the P-384 EK: high-range template, SHA-384 name, AES-256-CFB', () => {
    const ek = parseTpm2bPublic(ekEccPub) as EccPublic
    expect(ek.type).toBe('ecc')
    expect(ek.curve).toBe('P-384')
    expect(ek.nameAlg).toBe('sha384')
    expect(ek.attrs).toMatchObject({
      fixedTPM: true,
      fixedParent: true,
      restricted: true,
      decrypt: true,
    })
    expect(ek.attrs.sign).toBe(false)
    expect(ek.symmetric).toEqual({ alg: 'aes', keyBits: 256, mode: 'cfb' })
    expect(ek.kdf).toEqual({ scheme: 'null' })
    expect(ek.x.length).toBe(48)
    expect(ek.y.length).toBe(48)
    // shared/notes/tpm-on-swtpm.md: PolicyOR(PolicyA, PolicyB) in SHA-384.
    expect(toHex(ek.authPolicy)).toBe(
      'b26e7d28d11a50bc53d882bcf5fd3a1a074148bb35d3b4e4cb1c0ad9bde419cacb47ba09699646150f9fc000f3f80e12',
    )
  })

  it('decodes both AKs as restricted signing keys with their schemes', () => {
    const rsa = parseTpm2bPublic(akRsaPub) as RsaPublic
    const ecc = parseTpm2bPublic(akEccPub) as EccPublic
    for (const ak of [rsa, ecc]) {
      expect(ak.attrs).toMatchObject({
        fixedTPM: true,
        fixedParent: true,
        sensitiveDataOrigin: true,
        restricted: true,
        sign: true,
        decrypt: false,
      })
      expect(ak.nameAlg).toBe('sha256')
      expect(ak.symmetric).toEqual({ alg: 'null' })
    }
    expect(rsa.scheme).toEqual({ scheme: 'rsassa', hashAlg: 'sha256' })
    expect(rsa.keyBits).toBe(2048)
    expect(ecc.scheme).toEqual({ scheme: 'ecdsa', hashAlg: 'sha256' })
    expect(ecc.curve).toBe('P-256')
  })

  it('computes the Names tpm2_createak wrote', () => {
    expect(toHex(objectName(parseTpm2bPublic(akEccPub)))).toBe(toHex(akEccName))
    expect(toHex(objectName(parseTpm2bPublic(akRsaPub)))).toBe(toHex(akRsaName))
  })
})

describe('parseTpm2bPublic rejects', () => {
  it('trailing bytes after the TPM2B and inside a TPMT_PUBLIC', () => {
    expect(code(() => parseTpm2bPublic(concat(akEccPub, new Uint8Array([0]))))).toBe(
      'ERR_TPM_TRAILING_BYTES',
    )
    expect(code(() => parseTpmtPublic(concat(akEccPub.subarray(2), new Uint8Array([0]))))).toBe(
      'ERR_TPM_TRAILING_BYTES',
    )
    // A TPM2B size that leaves the last byte outside the structure.
    const b = akEccPub.slice()
    b[1]! -= 1
    expect(code(() => parseTpm2bPublic(b))).toBe('ERR_TPM_TRAILING_BYTES')
  })

  it('truncation anywhere and an empty TPM2B', () => {
    for (let n = 0; n < akRsaPub.length; n += 7) {
      expect(code(() => parseTpm2bPublic(akRsaPub.subarray(0, n)))).toBe('ERR_TPM_MALFORMED')
    }
    expect(code(() => parseTpm2bPublic(new Uint8Array([0, 0])))).toBe('ERR_TPM_MALFORMED')
  })

  it('a modulus that does not match keyBits and an ECC point of the wrong size', () => {
    // ak-rsa: keyBits at TPMT offset 16 (0x0800 -> 0x0400)
    expect(code(() => parseTpmtPublic(edit(akRsaPub, 16, [0x04, 0x00])))).toBe('ERR_TPM_MALFORMED')
    // ak-ecc: curve at TPMT offset 16 (P-256 -> P-384) leaves 32-byte coordinates
    expect(code(() => parseTpmtPublic(edit(akEccPub, 16, [0x00, 0x04])))).toBe('ERR_TPM_MALFORMED')
  })

  it('an authPolicy that is not a nameAlg digest', () => {
    const p = parseTpm2bPublic(ekRsaPub)
    const bad = marshalTpmtPublic({ ...p, authPolicy: new Uint8Array(20) })
    expect(code(() => parseTpmtPublic(bad))).toBe('ERR_TPM_MALFORMED')
  })

  it('unsupported algorithms with ERR_TPM_UNSUPPORTED_ALG', () => {
    // nameAlg SM3_256 (0x0012)
    expect(code(() => parseTpmtPublic(edit(akEccPub, 2, [0x00, 0x12])))).toBe(
      'ERR_TPM_UNSUPPORTED_ALG',
    )
    // object type KEYEDHASH
    expect(code(() => parseTpmtPublic(edit(akEccPub, 0, [0x00, 0x08])))).toBe(
      'ERR_TPM_UNSUPPORTED_ALG',
    )
    // curve BN_P256 (0x0010)
    expect(code(() => parseTpmtPublic(edit(akEccPub, 16, [0x00, 0x10])))).toBe(
      'ERR_TPM_UNSUPPORTED_ALG',
    )
    // scheme ECDAA (0x001a)
    expect(code(() => parseTpmtPublic(edit(akEccPub, 12, [0x00, 0x1a])))).toBe(
      'ERR_TPM_UNSUPPORTED_ALG',
    )
    // symmetric SM4 (0x0013) on the RSA EK
    expect(code(() => parseTpmtPublic(edit(ekRsaPub, 42, [0x00, 0x13])))).toBe(
      'ERR_TPM_UNSUPPORTED_ALG',
    )
  })

  it('bad values with ERR_TPM_MALFORMED', () => {
    // an RSA scheme (RSASSA) on an ECC key
    expect(code(() => parseTpmtPublic(edit(akEccPub, 12, [0x00, 0x14])))).toBe('ERR_TPM_MALFORMED')
    // an unknown object type
    expect(code(() => parseTpmtPublic(edit(akEccPub, 0, [0x7f, 0x7f])))).toBe('ERR_TPM_MALFORMED')
    // AES with 100-bit keys
    expect(code(() => parseTpmtPublic(edit(ekRsaPub, 44, [0x00, 0x64])))).toBe('ERR_TPM_MALFORMED')
    // an even RSA exponent (exponent at TPMT offset 18 of ak-rsa)
    expect(code(() => parseTpmtPublic(edit(akRsaPub, 18, [0, 0, 0, 4])))).toBe('ERR_TPM_MALFORMED')
  })
})

describe('marshalTpmtPublic', () => {
  it('keeps an explicit 65537 exponent apart from the default 0', () => {
    const explicit = edit(akRsaPub, 18, [0, 1, 0, 1])
    const p = parseTpmtPublic(explicit) as RsaPublic
    expect(p.exponent).toBe(65537)
    expect(p.exponentExplicit).toBe(true)
    expect(toHex(marshalTpmtPublic(p))).toBe(toHex(explicit))
    // The same key without the flag marshals as the TPM reports the default: 0.
    const { exponentExplicit: _, ...plain } = p
    expect(toHex(marshalTpmtPublic(plain as TpmPublic))).toBe(toHex(akRsaPub.subarray(2)))
    expect(toHex(objectName(parseTpmtPublic(explicit)))).not.toBe(toHex(akRsaName))
  })

  it('writes a hand-built key that parses back to the same fields', () => {
    const ecc = parseTpm2bPublic(akEccPub) as EccPublic
    const built: EccPublic = {
      ...ecc,
      kdf: { scheme: 'kdf1_sp800_108', hashAlg: 'sha384' },
      authPolicy: fromHex('11'.repeat(32)),
    }
    const back = parseTpmtPublic(marshalTpmtPublic(built)) as EccPublic
    expect(back.kdf).toEqual(built.kdf)
    expect(toHex(back.authPolicy)).toBe('11'.repeat(32))
    expect(toHex(back.x)).toBe(toHex(ecc.x))
  })
})
