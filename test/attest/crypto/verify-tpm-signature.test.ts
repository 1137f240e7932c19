// verifyTpmSignature on the tpm2-tools quotes (shared/vectors/tpm2-tools) and on software-signed
// TPM-format signatures (test/attest/quote/synthetic.ts).
import { describe, expect, it } from 'vitest'
import akEccPub from '@shared/vectors/tpm2-tools/ak-ecc.pub?bytes'
import akRsaPub from '@shared/vectors/tpm2-tools/ak-rsa.pub?bytes'
import quoteEcc from '@shared/vectors/tpm2-tools/quote-ecc.attest?bytes'
import sigEcc from '@shared/vectors/tpm2-tools/quote-ecc.sig?bytes'
import quoteRsa from '@shared/vectors/tpm2-tools/quote-rsa.attest?bytes'
import sigRsa from '@shared/vectors/tpm2-tools/quote-rsa.sig?bytes'
import { utf8 } from '../../../attest/bytes/encoding.ts'
import { verifyTpmSignature } from '../../../attest/crypto/verify-tpm-signature.ts'
import { parseTpm2bPublic } from '../../../attest/tpm/public.ts'
import { parseTpmtSignature } from '../../../attest/tpm/signature.ts'
import type { TpmSignature } from '../../../attest/tpm/types.ts'
import { code } from '../../helpers/error-code.ts'
import { softAk, softSign } from '../quote/synthetic.ts'

const akEcc = parseTpm2bPublic(akEccPub)
const akRsa = parseTpm2bPublic(akRsaPub)
const sEcc = parseTpmtSignature(sigEcc)
const sRsa = parseTpmtSignature(sigRsa)

describe('verifyTpmSignature', () => {
  it('accepts the TPM-made ECDSA and RSASSA signatures', () => {
    expect(code(() => verifyTpmSignature(akEcc, quoteEcc, sEcc))).toBe('no error')
    expect(code(() => verifyTpmSignature(akRsa, quoteRsa, sRsa))).toBe('no error')
  })

  it("throws the caller's code, or ERR_SIG_INVALID, for a signature over other bytes", () => {
    const other = quoteEcc.slice()
    other[100]! ^= 1
    expect(code(() => verifyTpmSignature(akEcc, other, sEcc))).toBe('ERR_SIG_INVALID')
    expect(
      code(() => verifyTpmSignature(akRsa, quoteEcc, sRsa, { invalidCode: 'ERR_QUOTE_SIGNATURE' })),
    ).toBe('ERR_QUOTE_SIGNATURE')
  })

  it('refuses a signature type that does not fit the key type', () => {
    expect(code(() => verifyTpmSignature(akRsa, quoteEcc, sEcc))).toBe('ERR_SIG_SCHEME_MISMATCH')
    expect(code(() => verifyTpmSignature(akEcc, quoteRsa, sRsa))).toBe('ERR_SIG_SCHEME_MISMATCH')
  })

  it("refuses a scheme or hash other than the key's own scheme", () => {
    const pss = { ...sRsa, sigAlg: 'rsapss' } as TpmSignature
    expect(code(() => verifyTpmSignature(akRsa, quoteRsa, pss))).toBe('ERR_SIG_SCHEME_MISMATCH')
    const sha384 = { ...sEcc, hashAlg: 'sha384' } as TpmSignature
    expect(code(() => verifyTpmSignature(akEcc, quoteEcc, sha384))).toBe('ERR_SIG_SCHEME_MISMATCH')
  })

  it('refuses SHA-1 unless allowed, then verifies it', () => {
    const k = softAk('sha1 key', { scheme: { scheme: 'null' } })
    const msg = utf8('a TPMS_ATTEST stand-in')
    const sig = parseTpmtSignature(softSign(k.sk, 'sha1', msg))
    expect(code(() => verifyTpmSignature(k.ak, msg, sig))).toBe('ERR_SIG_HASH_NOT_ALLOWED')
    expect(code(() => verifyTpmSignature(k.ak, msg, sig, { allowedHashes: ['sha1'] }))).toBe(
      'no error',
    )
    expect(code(() => verifyTpmSignature(k.ak, msg, sig, { allowedHashes: ['sha384'] }))).toBe(
      'ERR_SIG_HASH_NOT_ALLOWED',
    )
  })

  it('with a null key scheme, takes the hash from the signature', () => {
    const k = softAk('sha384 key', { scheme: { scheme: 'null' } })
    const msg = utf8('message')
    const sig = parseTpmtSignature(softSign(k.sk, 'sha384', msg))
    expect(code(() => verifyTpmSignature(k.ak, msg, sig))).toBe('no error')
    expect(code(() => verifyTpmSignature(k.ak, utf8('other'), sig))).toBe('ERR_SIG_INVALID')
  })

  it('refuses malformed sizes: RSA not modulus-sized, ECDSA r/s empty or too long', () => {
    if (sRsa.sigAlg === 'ecdsa' || sEcc.sigAlg !== 'ecdsa') throw new Error('unreachable')
    const short = { ...sRsa, sig: sRsa.sig.subarray(1) }
    expect(code(() => verifyTpmSignature(akRsa, quoteRsa, short))).toBe('ERR_SIG_MALFORMED')
    const long = { ...sEcc, r: new Uint8Array(33).fill(1) }
    expect(code(() => verifyTpmSignature(akEcc, quoteEcc, long))).toBe('ERR_SIG_MALFORMED')
    const empty = { ...sEcc, s: new Uint8Array(0) }
    expect(code(() => verifyTpmSignature(akEcc, quoteEcc, empty))).toBe('ERR_SIG_MALFORMED')
  })
})
