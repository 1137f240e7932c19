// verifyCertify on the tpm2-tools certification (shared/vectors/tpm2-tools/certify-ecc.*: the ECC
// AK certifying app.pub with tpm2_certify, whose qualifying data is always 00 ff 55 aa).
import { describe, expect, it } from 'vitest'
import akEccName from '@shared/vectors/tpm2-tools/ak-ecc.name?bytes'
import akEccPub from '@shared/vectors/tpm2-tools/ak-ecc.pub?bytes'
import akRsaPub from '@shared/vectors/tpm2-tools/ak-rsa.pub?bytes'
import appPub from '@shared/vectors/tpm2-tools/app.pub?bytes'
import certifyAttest from '@shared/vectors/tpm2-tools/certify-ecc.attest?bytes'
import certifySig from '@shared/vectors/tpm2-tools/certify-ecc.sig?bytes'
import ekRsaPub from '@shared/vectors/tpm2-tools/ek-rsa.pub?bytes'
import quoteEcc from '@shared/vectors/tpm2-tools/quote-ecc.attest?bytes'
import sigEcc from '@shared/vectors/tpm2-tools/quote-ecc.sig?bytes'
import { fromHex, toHex } from '../../../attest/bytes/encoding.ts'
import { verifyCertify, type VerifyCertifyInput } from '../../../attest/quote/verify-certify.ts'
import { TPM_RH } from '../../../attest/tpm/constants.ts'
import { handleName, objectName, qualifiedName } from '../../../attest/tpm/name.ts'
import { parseTpm2bPublic } from '../../../attest/tpm/public.ts'
import { code } from '../../helpers/error-code.ts'
import { softAk } from './synthetic.ts'

const signer = parseTpm2bPublic(akEccPub)
const TOOLS_QUALIFYING_DATA = fromHex('00ff55aa')

function input(over: Partial<VerifyCertifyInput> = {}): VerifyCertifyInput {
  return {
    signer,
    attest: certifyAttest,
    signature: certifySig,
    certifiedName: objectName(parseTpm2bPublic(appPub)),
    expectedExtraData: TOOLS_QUALIFYING_DATA,
    ...over,
  }
}

describe('verifyCertify', () => {
  it("accepts the certification of app.pub against app.pub's Name", () => {
    const r = verifyCertify(input())
    expect(toHex(r.name)).toBe(toHex(objectName(parseTpm2bPublic(appPub))))
    expect(r.qualifiedName.length).toBe(34)
    expect(r.signature.sigAlg).toBe('ecdsa')
  })

  it("accepts it against the AK's Qualified Name under the EK", () => {
    const ekQn = qualifiedName(parseTpm2bPublic(ekRsaPub), handleName(TPM_RH.ENDORSEMENT))
    expect(code(() => verifyCertify(input({ expectedSigner: qualifiedName(signer, ekQn) })))).toBe(
      'no error',
    )
  })

  it('rejects another Name', () => {
    expect(code(() => verifyCertify(input({ certifiedName: akEccName })))).toBe('ERR_CERTIFY_NAME')
  })

  it('rejects other qualifying data, and defaults to expecting none', () => {
    expect(code(() => verifyCertify(input({ expectedExtraData: fromHex('00ff55ab') })))).toBe(
      'ERR_CERTIFY_NONCE',
    )
    expect(code(() => verifyCertify(input({ expectedExtraData: undefined })))).toBe(
      'ERR_CERTIFY_NONCE',
    )
  })

  it('rejects a flipped byte and another key', () => {
    const a = certifyAttest.slice()
    a[60]! ^= 1 // inside clockInfo
    expect(code(() => verifyCertify(input({ attest: a })))).toBe('ERR_CERTIFY_SIGNATURE')
    expect(code(() => verifyCertify(input({ signer: softAk('other').ak })))).toBe(
      'ERR_CERTIFY_SIGNATURE',
    )
  })

  it('rejects a signer other than the expected Qualified Name', () => {
    expect(code(() => verifyCertify(input({ expectedSigner: objectName(signer) })))).toBe(
      'ERR_CERTIFY_SIGNER',
    )
  })

  it('rejects a quote, an unrestricted signer and a non-signing key', () => {
    const q = input({ attest: quoteEcc, signature: sigEcc })
    expect(code(() => verifyCertify(q))).toBe('ERR_ATTEST_TYPE')
    expect(code(() => verifyCertify(input({ signer: parseTpm2bPublic(appPub) })))).toBe(
      'ERR_AK_ATTRIBUTES',
    )
    expect(code(() => verifyCertify(input({ signer: parseTpm2bPublic(ekRsaPub) })))).toBe(
      'ERR_AK_ATTRIBUTES',
    )
    expect(code(() => verifyCertify(input({ signer: parseTpm2bPublic(akRsaPub) })))).toBe(
      'ERR_SIG_SCHEME_MISMATCH',
    )
  })
})
