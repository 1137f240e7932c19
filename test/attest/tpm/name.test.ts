// Names and Qualified Names against what tpm2-tools and the TPM wrote (shared/vectors/tpm2-tools:
// *.name from tpm2_createak; qualifiedSigner inside the quotes and the certification, both AKs
// made by tpm2_createak under the RSA EK in the endorsement hierarchy).
import { describe, expect, it } from 'vitest'
import akEccName from '@shared/vectors/tpm2-tools/ak-ecc.name?bytes'
import akEccPub from '@shared/vectors/tpm2-tools/ak-ecc.pub?bytes'
import akRsaPub from '@shared/vectors/tpm2-tools/ak-rsa.pub?bytes'
import appPub from '@shared/vectors/tpm2-tools/app.pub?bytes'
import certifyAttest from '@shared/vectors/tpm2-tools/certify-ecc.attest?bytes'
import ekRsaPub from '@shared/vectors/tpm2-tools/ek-rsa.pub?bytes'
import quoteEcc from '@shared/vectors/tpm2-tools/quote-ecc.attest?bytes'
import quoteRsa from '@shared/vectors/tpm2-tools/quote-rsa.attest?bytes'
import { toHex } from '../../../attest/bytes/encoding.ts'
import { parseTpmsAttest } from '../../../attest/tpm/attest.ts'
import { TPM_RH } from '../../../attest/tpm/constants.ts'
import { handleName, objectName, qualifiedName } from '../../../attest/tpm/name.ts'
import { parseTpm2bPublic } from '../../../attest/tpm/public.ts'

describe('names', () => {
  const ek = parseTpm2bPublic(ekRsaPub)
  const ekQn = qualifiedName(ek, handleName(TPM_RH.ENDORSEMENT))

  it('objectName is nameAlg || H(TPMT_PUBLIC)', () => {
    const n = objectName(parseTpm2bPublic(akEccPub))
    expect(toHex(n)).toBe(toHex(akEccName))
    expect(toHex(n.subarray(0, 2))).toBe('000b')
  })

  it("qualifiedSigner is the AK's Qualified Name under the EK, not its Name", () => {
    for (const [pub, attest] of [
      [akEccPub, quoteEcc],
      [akRsaPub, quoteRsa],
      [akEccPub, certifyAttest],
    ] as const) {
      const ak = parseTpm2bPublic(pub)
      const signer = parseTpmsAttest(attest).qualifiedSigner
      expect(toHex(signer)).toBe(toHex(qualifiedName(ak, ekQn)))
      expect(toHex(signer)).not.toBe(toHex(objectName(ak)))
    }
  })

  it('the certification names the application key by its Name', () => {
    const a = parseTpmsAttest(certifyAttest)
    expect(toHex(a.certify!.name)).toBe(toHex(objectName(parseTpm2bPublic(appPub))))
  })

  it('a hierarchy handle is its own Name', () => {
    expect(toHex(handleName(TPM_RH.ENDORSEMENT))).toBe('4000000b')
    expect(toHex(handleName(TPM_RH.OWNER))).toBe('40000001')
  })
})
