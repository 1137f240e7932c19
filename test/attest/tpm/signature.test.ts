// TPMT_SIGNATURE parsing and marshalling on the tpm2-tools signatures
// (shared/vectors/tpm2-tools, swtpm 0.7.1 + tpm2-tools 5.4, default "tss" format).
import { describe, expect, it } from 'vitest'
import certifySig from '@shared/vectors/tpm2-tools/certify-ecc.sig?bytes'
import sigEcc from '@shared/vectors/tpm2-tools/quote-ecc.sig?bytes'
import sigRsa from '@shared/vectors/tpm2-tools/quote-rsa.sig?bytes'
import { concat, toHex } from '../../../attest/bytes/encoding.ts'
import { marshalTpmtSignature } from '../../../attest/tpm/marshal-signature.ts'
import { parseTpmtSignature } from '../../../attest/tpm/signature.ts'
import { code } from '../../helpers/error-code.ts'

describe('parseTpmtSignature', () => {
  it('decodes ECDSA and RSASSA signatures', () => {
    const e = parseTpmtSignature(sigEcc)
    expect(e.sigAlg).toBe('ecdsa')
    expect(e.hashAlg).toBe('sha256')
    if (e.sigAlg !== 'ecdsa') throw new Error('unreachable')
    expect(e.r.length).toBe(32)
    expect(e.s.length).toBe(32)
    const r = parseTpmtSignature(sigRsa)
    expect(r).toMatchObject({ sigAlg: 'rsassa', hashAlg: 'sha256' })
    if (r.sigAlg === 'ecdsa') throw new Error('unreachable')
    expect(r.sig.length).toBe(256)
  })

  it('re-marshals every vector byte for byte, RSAPSS too', () => {
    for (const v of [sigEcc, sigRsa, certifySig]) {
      expect(toHex(marshalTpmtSignature(parseTpmtSignature(v)))).toBe(toHex(v))
    }
    const pss = sigRsa.slice()
    pss[1] = 0x16
    const p = parseTpmtSignature(pss)
    expect(p.sigAlg).toBe('rsapss')
    expect(toHex(marshalTpmtSignature(p))).toBe(toHex(pss))
  })

  it('rejects other signature algorithms and hashes as unsupported', () => {
    // HMAC, ECDAA, SM2, ECSCHNORR, NULL, and an unassigned id
    for (const alg of [0x0005, 0x001a, 0x001b, 0x001c, 0x0010, 0x7777]) {
      const b = sigEcc.slice()
      b[0] = alg >> 8
      b[1] = alg & 0xff
      expect(
        code(() => parseTpmtSignature(b)),
        alg.toString(16),
      ).toBe('ERR_TPM_UNSUPPORTED_ALG')
    }
    const sm3 = sigEcc.slice()
    sm3[3] = 0x12
    expect(code(() => parseTpmtSignature(sm3))).toBe('ERR_TPM_UNSUPPORTED_ALG')
  })

  it('rejects truncation, trailing bytes and oversized fields', () => {
    for (let n = 0; n < sigRsa.length; n += 5) {
      expect(code(() => parseTpmtSignature(sigRsa.subarray(0, n)))).toBe('ERR_TPM_MALFORMED')
    }
    expect(code(() => parseTpmtSignature(sigEcc.subarray(0, sigEcc.length - 1)))).toBe(
      'ERR_TPM_MALFORMED',
    )
    expect(code(() => parseTpmtSignature(concat(sigEcc, new Uint8Array([0]))))).toBe(
      'ERR_TPM_TRAILING_BYTES',
    )
    // r declared as 67 bytes (TPM2B_ECC_PARAMETER holds at most 66)
    const big = concat(sigEcc.subarray(0, 4), new Uint8Array([0, 67]), new Uint8Array(67 + 2 + 32))
    expect(code(() => parseTpmtSignature(big))).toBe('ERR_TPM_MALFORMED')
  })
})
