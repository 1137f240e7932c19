// TPMS_ATTEST parsing and marshalling on the tpm2-tools quotes and certification
// (shared/vectors/tpm2-tools, swtpm 0.7.1 + tpm2-tools 5.4) and on byte-level edits of them.
import { describe, expect, it } from 'vitest'
import certifyAttest from '@shared/vectors/tpm2-tools/certify-ecc.attest?bytes'
import quoteEcc from '@shared/vectors/tpm2-tools/quote-ecc.attest?bytes'
import nonceEcc from '@shared/vectors/tpm2-tools/quote-ecc.nonce.hex?raw'
import quoteRsa from '@shared/vectors/tpm2-tools/quote-rsa.attest?bytes'
import { concat, toHex } from '../../../attest/bytes/encoding.ts'
import { parseTpmsAttest } from '../../../attest/tpm/attest.ts'
import { TPM_GENERATED_VALUE } from '../../../attest/tpm/constants.ts'
import { marshalTpmsAttest } from '../../../attest/tpm/marshal-attest.ts'
import { code } from '../../helpers/error-code.ts'

describe('parseTpmsAttest', () => {
  it('decodes a quote: magic, signer, nonce, clock, selection, digest', () => {
    const a = parseTpmsAttest(quoteEcc)
    expect(a.magic).toBe(TPM_GENERATED_VALUE)
    expect(a.type).toBe('quote')
    expect(a.qualifiedSigner.length).toBe(34)
    expect(toHex(a.extraData)).toBe(nonceEcc.trim())
    expect(a.clockInfo).toEqual({ clock: 1077n, resetCount: 2, restartCount: 0, safe: true })
    expect(a.firmwareVersion).toBe(0x2019102300163636n)
    expect(a.quote!.pcrSelect).toEqual([{ hashAlg: 'sha256', pcrs: [0, 1, 2, 3, 4, 5, 6, 7, 15] }])
    expect(a.quote!.pcrDigest.length).toBe(32)
    expect(a.certify).toBeUndefined()
    expect(toHex(a.raw)).toBe(toHex(quoteEcc))
  })

  it('decodes a certification: tpm2_certify qualifying data and the certified names', () => {
    const a = parseTpmsAttest(certifyAttest)
    expect(a.type).toBe('certify')
    // tpm2_certify always passes the fixed qualifying data 00 ff 55 aa (tools/tpm2_certify.c).
    expect(toHex(a.extraData)).toBe('00ff55aa')
    expect(a.certify!.name.length).toBe(34)
    expect(a.certify!.qualifiedName.length).toBe(34)
    expect(a.quote).toBeUndefined()
  })

  it('re-marshals every vector byte for byte', () => {
    for (const v of [quoteEcc, quoteRsa, certifyAttest]) {
      expect(toHex(marshalTpmsAttest(parseTpmsAttest(v)))).toBe(toHex(v))
    }
  })

  it('rejects a wrong magic before anything else', () => {
    const b = quoteEcc.slice()
    b[0] = 0xfe
    expect(code(() => parseTpmsAttest(b))).toBe('ERR_ATTEST_MAGIC')
    expect(code(() => parseTpmsAttest(b.subarray(0, 6)))).toBe('ERR_ATTEST_MAGIC')
  })

  it('rejects every attestation type other than QUOTE and CERTIFY', () => {
    for (const st of [0x8014, 0x8015, 0x8016, 0x8019, 0x801a, 0x801c, 0x0000, 0xffff]) {
      const b = quoteEcc.slice()
      b[4] = st >> 8
      b[5] = st & 0xff
      expect(
        code(() => parseTpmsAttest(b)),
        st.toString(16),
      ).toBe('ERR_ATTEST_TYPE')
    }
  })

  it('rejects trailing bytes and truncation', () => {
    expect(code(() => parseTpmsAttest(concat(quoteEcc, new Uint8Array([0]))))).toBe(
      'ERR_TPM_TRAILING_BYTES',
    )
    for (let n = 6; n < quoteEcc.length; n++) {
      expect(
        code(() => parseTpmsAttest(quoteEcc.subarray(0, n))),
        String(n),
      ).toBe('ERR_TPM_MALFORMED')
    }
  })

  it('rejects a clockInfo.safe that is neither 0 nor 1', () => {
    const b = quoteEcc.slice()
    // magic 4, type 2, signer 2+34, extraData 2+32, clock 8, reset 4, restart 4 -> safe at 92
    expect(b[92]).toBe(1)
    b[92] = 2
    expect(code(() => parseTpmsAttest(b))).toBe('ERR_TPM_MALFORMED')
  })

  it('rejects a name longer than TPMU_NAME', () => {
    const a = parseTpmsAttest(quoteEcc)
    const long = marshalTpmsAttest({ ...a, qualifiedSigner: new Uint8Array(67) })
    expect(code(() => parseTpmsAttest(long))).toBe('ERR_TPM_MALFORMED')
  })
})
