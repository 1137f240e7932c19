// verifyQuote on the real tpm2-tools quotes (shared/vectors/tpm2-tools: swtpm 0.7.1 + tpm2-tools
// 5.4, RSA-2048 RSASSA and P-256 ECDSA AKs made by tpm2_createak under the RSA EK, PCR files from
// tpm2_quote -o) and on synthetic quotes (./synthetic.ts) for the checks the vectors cannot reach.
import { sha256 } from '@noble/hashes/sha2.js'
import { describe, expect, it } from 'vitest'
import akEccPub from '@shared/vectors/tpm2-tools/ak-ecc.pub?bytes'
import akRsaPub from '@shared/vectors/tpm2-tools/ak-rsa.pub?bytes'
import certifyAttest from '@shared/vectors/tpm2-tools/certify-ecc.attest?bytes'
import certifySig from '@shared/vectors/tpm2-tools/certify-ecc.sig?bytes'
import ekRsaPub from '@shared/vectors/tpm2-tools/ek-rsa.pub?bytes'
import quoteEcc from '@shared/vectors/tpm2-tools/quote-ecc.attest?bytes'
import nonceEccHex from '@shared/vectors/tpm2-tools/quote-ecc.nonce.hex?raw'
import pcrsEcc from '@shared/vectors/tpm2-tools/quote-ecc.pcrs?bytes'
import sigEcc from '@shared/vectors/tpm2-tools/quote-ecc.sig?bytes'
import quoteRsa from '@shared/vectors/tpm2-tools/quote-rsa.attest?bytes'
import nonceRsaHex from '@shared/vectors/tpm2-tools/quote-rsa.nonce.hex?raw'
import pcrsRsa from '@shared/vectors/tpm2-tools/quote-rsa.pcrs?bytes'
import sigRsa from '@shared/vectors/tpm2-tools/quote-rsa.sig?bytes'
import { concat, fromHex, toHex, utf8 } from '../../../attest/bytes/encoding.ts'
import { computePcrDigest } from '../../../attest/quote/pcr-digest.ts'
import { verifyQuote, type VerifyQuoteInput } from '../../../attest/quote/verify-quote.ts'
import { TPM_RH } from '../../../attest/tpm/constants.ts'
import { handleName, qualifiedName } from '../../../attest/tpm/name.ts'
import { parseTpm2ToolsPcrFile } from '../../../attest/tpm/pcr-file.ts'
import { parseTpm2bPublic } from '../../../attest/tpm/public.ts'
import type { PcrValues, TpmPublic } from '../../../attest/tpm/types.ts'
import { code } from '../../helpers/error-code.ts'
import { softAk, softQuote } from './synthetic.ts'

const ek = parseTpm2bPublic(ekRsaPub)
const ekQn = qualifiedName(ek, handleName(TPM_RH.ENDORSEMENT))

const VECTORS = {
  ecc: { ak: akEccPub, attest: quoteEcc, sig: sigEcc, nonce: nonceEccHex, pcrs: pcrsEcc },
  rsa: { ak: akRsaPub, attest: quoteRsa, sig: sigRsa, nonce: nonceRsaHex, pcrs: pcrsRsa },
}

function input(k: keyof typeof VECTORS, over: Partial<VerifyQuoteInput> = {}): VerifyQuoteInput {
  const v = VECTORS[k]
  return {
    ak: parseTpm2bPublic(v.ak),
    attest: v.attest,
    signature: v.sig,
    expectedExtraData: fromHex(v.nonce.trim()),
    pcrs: parseTpm2ToolsPcrFile(v.pcrs).values,
    ...over,
  }
}

function clonePcrs(p: PcrValues): { sha256: Record<number, Uint8Array> } {
  return { sha256: { ...p.sha256 } }
}

describe('verifyQuote on the tpm2-tools quotes', () => {
  for (const k of ['ecc', 'rsa'] as const) {
    it(`accepts the ${k} quote with its nonce and PCR file`, () => {
      const r = verifyQuote(input(k))
      expect(r.attest.type).toBe('quote')
      expect(r.selection).toEqual([{ hashAlg: 'sha256', pcrs: [0, 1, 2, 3, 4, 5, 6, 7, 15] }])
      expect(r.clockInfo.safe).toBe(true)
      expect(r.clockInfo.resetCount).toBe(2)
      expect(r.firmwareVersion).toBe(0x2019102300163636n)
      expect(Object.keys(r.pcrs!.sha256!).map(Number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 15])
      expect(r.signature.hashAlg).toBe('sha256')
    })

    it(`accepts the ${k} quote against the AK's Qualified Name under the EK`, () => {
      const ak = parseTpm2bPublic(VECTORS[k].ak)
      expect(code(() => verifyQuote(input(k, { expectedSigner: qualifiedName(ak, ekQn) })))).toBe(
        'no error',
      )
    })
  }

  it('accepts without PCR values (signature and nonce only) and with the expected selection', () => {
    const r = verifyQuote(input('ecc', { pcrs: undefined }))
    expect(r.pcrs).toBeUndefined()
    const sel = [{ hashAlg: 'sha256' as const, pcrs: [15, 0, 1, 2, 3, 4, 5, 6, 7] }]
    expect(code(() => verifyQuote(input('ecc', { expectedSelection: sel })))).toBe('no error')
  })

  it('pcrDigest is the signature-hash digest of the values in selection order', () => {
    const r = verifyQuote(input('rsa'))
    const v = r.pcrs!.sha256!
    const manual = sha256(concat(...[0, 1, 2, 3, 4, 5, 6, 7, 15].map((i) => v[i]!)))
    expect(toHex(r.pcrDigest)).toBe(toHex(manual))
    expect(toHex(computePcrDigest('sha256', r.selection, { sha256: v }))).toBe(toHex(manual))
  })
})

describe('verifyQuote rejects, each with its own code', () => {
  it('a flipped byte in the attest (signature no longer covers it)', () => {
    for (const k of ['ecc', 'rsa'] as const) {
      const a = VECTORS[k].attest.slice()
      a[80]! ^= 0x01 // inside clockInfo.clock
      expect(code(() => verifyQuote(input(k, { attest: a })))).toBe('ERR_QUOTE_SIGNATURE')
    }
  })

  it('a wrong nonce', () => {
    const n = fromHex(nonceEccHex.trim())
    n[0]! ^= 1
    expect(code(() => verifyQuote(input('ecc', { expectedExtraData: n })))).toBe('ERR_QUOTE_NONCE')
    expect(code(() => verifyQuote(input('ecc', { expectedExtraData: n.subarray(1) })))).toBe(
      'ERR_QUOTE_NONCE',
    )
  })

  it("another AK's key", () => {
    // Same type, other key: only the signature can tell.
    const other = softAk('another ecc AK').ak
    expect(code(() => verifyQuote(input('ecc', { ak: other })))).toBe('ERR_QUOTE_SIGNATURE')
    // The other tpm2-tools AK: its Qualified Name differs when the caller knows it...
    const rsa = parseTpm2bPublic(akRsaPub)
    expect(
      code(() => verifyQuote(input('ecc', { ak: rsa, expectedSigner: qualifiedName(rsa, ekQn) }))),
    ).toBe('ERR_QUOTE_SIGNER')
    // ...and its type does not fit the ECDSA signature anyway.
    expect(code(() => verifyQuote(input('ecc', { ak: rsa })))).toBe('ERR_SIG_SCHEME_MISMATCH')
  })

  it('a signer that is not a name of the AK nameAlg', () => {
    const ak = softAk('sha384-named AK', { nameAlg: 'sha384' })
    const q = softQuote(ak, { nonce: new Uint8Array(32) })
    // The synthetic quote names the signer with SHA-384; an AK of SHA-256 nameAlg cannot match.
    const sha256Ak = softAk('sha384-named AK').ak
    expect(
      code(() => verifyQuote({ ak: sha256Ak, ...q, expectedExtraData: new Uint8Array(32) })),
    ).toBe('ERR_QUOTE_SIGNER')
  })

  it('a changed PCR value', () => {
    const pcrs = clonePcrs(input('ecc').pcrs!)
    pcrs.sha256[15] = pcrs.sha256[15]!.slice()
    pcrs.sha256[15][31]! ^= 1
    expect(code(() => verifyQuote(input('ecc', { pcrs })))).toBe('ERR_PCR_DIGEST')
    pcrs.sha256[15] = new Uint8Array(20)
    expect(code(() => verifyQuote(input('ecc', { pcrs })))).toBe('ERR_PCR_DIGEST')
  })

  it('a missing PCR', () => {
    const pcrs = clonePcrs(input('rsa').pcrs!)
    delete pcrs.sha256[7]
    expect(code(() => verifyQuote(input('rsa', { pcrs })))).toBe('ERR_PCR_MISSING')
    expect(code(() => verifyQuote(input('rsa', { pcrs: { sha1: {} } })))).toBe('ERR_PCR_MISSING')
  })

  it('an extra PCR, in a quoted bank or another', () => {
    const pcrs = clonePcrs(input('rsa').pcrs!)
    pcrs.sha256[16] = new Uint8Array(32)
    expect(code(() => verifyQuote(input('rsa', { pcrs })))).toBe('ERR_PCR_EXTRA')
    const other: PcrValues = { ...clonePcrs(input('rsa').pcrs!), sha1: { 0: new Uint8Array(20) } }
    expect(code(() => verifyQuote(input('rsa', { pcrs: other })))).toBe('ERR_PCR_EXTRA')
  })

  it('a selection other than the expected one', () => {
    const sel = [{ hashAlg: 'sha256' as const, pcrs: [0, 1, 2, 3, 4, 5, 6, 7] }]
    expect(code(() => verifyQuote(input('ecc', { expectedSelection: sel })))).toBe(
      'ERR_PCR_SELECTION',
    )
    const bank = [{ hashAlg: 'sha1' as const, pcrs: [0, 1, 2, 3, 4, 5, 6, 7, 15] }]
    expect(code(() => verifyQuote(input('ecc', { expectedSelection: bank })))).toBe(
      'ERR_PCR_SELECTION',
    )
  })

  it('a truncated signature', () => {
    for (const k of ['ecc', 'rsa'] as const) {
      const s = VECTORS[k].sig
      expect(code(() => verifyQuote(input(k, { signature: s.subarray(0, s.length - 1) })))).toBe(
        'ERR_TPM_MALFORMED',
      )
    }
  })

  it('trailing bytes on the attest, the signature and the AK public', () => {
    const z = new Uint8Array([0])
    expect(code(() => verifyQuote(input('ecc', { attest: concat(quoteEcc, z) })))).toBe(
      'ERR_TPM_TRAILING_BYTES',
    )
    expect(code(() => verifyQuote(input('ecc', { signature: concat(sigEcc, z) })))).toBe(
      'ERR_TPM_TRAILING_BYTES',
    )
    expect(code(() => parseTpm2bPublic(concat(akEccPub, z)))).toBe('ERR_TPM_TRAILING_BYTES')
  })

  it('a wrong magic', () => {
    const a = quoteRsa.slice()
    a[3] = 0x48
    expect(code(() => verifyQuote(input('rsa', { attest: a })))).toBe('ERR_ATTEST_MAGIC')
  })

  it('a certification fed in as a quote', () => {
    const ak = parseTpm2bPublic(akEccPub)
    const i = {
      ak,
      attest: certifyAttest,
      signature: certifySig,
      expectedExtraData: fromHex('00ff55aa'),
    }
    expect(code(() => verifyQuote(i))).toBe('ERR_ATTEST_TYPE')
  })

  it('a SHA-1 signature (unless SHA-1 is explicitly allowed)', () => {
    const k = softAk('sha1 AK', { scheme: { scheme: 'ecdsa', hashAlg: 'sha1' } })
    const nonce = sha256(utf8('n1'))
    const q = softQuote(k, { nonce, hashAlg: 'sha1' })
    const base = { ak: k.ak, ...q, expectedExtraData: nonce }
    expect(code(() => verifyQuote(base))).toBe('ERR_SIG_HASH_NOT_ALLOWED')
    expect(code(() => verifyQuote({ ...base, allowedHashes: ['sha1'] }))).toBe('no error')
  })

  it('an unsafe TPM clock', () => {
    const k = softAk('clock AK')
    const nonce = sha256(utf8('n2'))
    const ok = softQuote(k, { nonce })
    expect(code(() => verifyQuote({ ak: k.ak, ...ok, expectedExtraData: nonce }))).toBe('no error')
    const unsafe = softQuote(k, { nonce, safe: false })
    expect(code(() => verifyQuote({ ak: k.ak, ...unsafe, expectedExtraData: nonce }))).toBe(
      'ERR_QUOTE_CLOCK_UNSAFE',
    )
  })

  it('an AK that is not a restricted signing key', () => {
    const ekAsAk: TpmPublic = parseTpm2bPublic(ekRsaPub)
    expect(code(() => verifyQuote(input('rsa', { ak: ekAsAk })))).toBe('ERR_AK_ATTRIBUTES')
    const k = softAk('unrestricted', { attributes: 0x00040072 })
    expect(k.ak.attrs.restricted).toBe(false)
    const nonce = new Uint8Array(32)
    expect(
      code(() => verifyQuote({ ak: k.ak, ...softQuote(k, { nonce }), expectedExtraData: nonce })),
    ).toBe('ERR_AK_ATTRIBUTES')
  })

  it('checks cheapest first: a wrong nonce is reported before a bad signature', () => {
    const a = quoteEcc.slice()
    a[80]! ^= 1
    expect(
      code(() => verifyQuote(input('ecc', { attest: a, expectedExtraData: new Uint8Array(32) }))),
    ).toBe('ERR_QUOTE_NONCE')
  })
})

describe('pcrDigest hash', () => {
  it('follows the signature hash, not the AK nameAlg', () => {
    // nameAlg SHA-256, signing scheme ECDSA-SHA384: a TPM digests the PCRs with SHA-384.
    const k = softAk('sha384 scheme AK', { scheme: { scheme: 'ecdsa', hashAlg: 'sha384' } })
    const nonce = sha256(utf8('n3'))
    const values = { sha256: { 0: new Uint8Array(32), 15: sha256(utf8('x')) } }
    const good = softQuote(k, { nonce, hashAlg: 'sha384', values })
    const r = verifyQuote({ ak: k.ak, ...good, expectedExtraData: nonce, pcrs: values })
    expect(r.pcrDigest.length).toBe(48)
    const byNameAlg = softQuote(k, { nonce, hashAlg: 'sha384', values, pcrDigestAlg: 'sha256' })
    expect(
      code(() => verifyQuote({ ak: k.ak, ...byNameAlg, expectedExtraData: nonce, pcrs: values })),
    ).toBe('ERR_PCR_DIGEST')
  })
})
