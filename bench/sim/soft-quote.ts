/**
 * TPM2_Quote done in software, for the soft TPM (a software TPM stand-in for load generation
 * only): TPMS_ATTEST of type QUOTE over the given PCR values (pcrDigest = SHA-256 of the selected
 * values in selection order, as attest/quote/pcr-digest.ts computes it), marshalled by attest's
 * marshaller and signed ECDSA-SHA256 with the AK's private scalar (@noble/curves, RFC 6979),
 * returned as TPMT_SIGNATURE. qualifiedSigner is the AK's Name: the collector checks only its
 * shape (a real TPM writes the Qualified Name, which depends on the AK's parent).
 * Also the tests' synthetic quotes (test/attest/quote/synthetic.ts): they choose the signature
 * hash and the pcrDigest hash to reach checks real vectors cannot. Leaves out RSA AKs.
 * Follows TPM 2.0 Part 3 §18.4 TPM2_Quote, Part 2 §10.12.12 TPMS_ATTEST and §11.3.4 TPMT_SIGNATURE.
 */
import { p256 } from '@noble/curves/nist.js'
import { digest } from '../../attest/crypto/hash.ts'
import { computePcrDigest } from '../../attest/quote/pcr-digest.ts'
import { TPM_GENERATED_VALUE } from '../../attest/tpm/constants.ts'
import { marshalTpmsAttest } from '../../attest/tpm/marshal-attest.ts'
import { marshalTpmtSignature } from '../../attest/tpm/marshal-signature.ts'
import { objectName } from '../../attest/tpm/name.ts'
import type {
  ClockInfo,
  EccPublic,
  HashAlg,
  PcrSelection,
  PcrValues,
} from '../../attest/tpm/types.ts'

/** Signs a marshalled TPMS_ATTEST (hashing it with hashAlg); returns r || s. */
export type QuoteSigner = (attest: Uint8Array, hashAlg: HashAlg) => Uint8Array

export interface SoftQuoteInput {
  ak: EccPublic
  /** The AK's private scalar (32 bytes, P-256). */
  akPrivate: Uint8Array
  qualifyingData: Uint8Array
  selection: readonly PcrSelection[]
  /** Current PCR values; every selected PCR must be present. */
  pcrs: PcrValues
  clockInfo: ClockInfo
  firmwareVersion: bigint
  /** The signature's hash; SHA-256 unless a test wants another. */
  hashAlg?: HashAlg
  /**
   * Signs the marshalled TPMS_ATTEST (hashing it with hashAlg) and returns r || s; @noble/curves
   * (RFC 6979) when absent. The bench's soft TPM passes node:crypto (about 20x cheaper: the load
   * generator shares the two cores with the collector it measures).
   */
  sign?: QuoteSigner
  /** The hash of pcrDigest; defaults to the signature hash, as a TPM does. */
  pcrDigestAlg?: HashAlg
}

export interface SoftQuote {
  attest: Uint8Array
  signature: Uint8Array
  /** The selected values, as the agent sends them beside the quote. */
  pcrs: PcrValues
}

export function softQuote(i: SoftQuoteInput): SoftQuote {
  const hashAlg = i.hashAlg ?? 'sha256'
  const selected: PcrValues = {}
  for (const s of i.selection) {
    for (const p of s.pcrs) (selected[s.hashAlg] ??= {})[p] = i.pcrs[s.hashAlg]?.[p] as Uint8Array
  }
  const attest = marshalTpmsAttest({
    magic: TPM_GENERATED_VALUE,
    type: 'quote',
    qualifiedSigner: objectName(i.ak),
    extraData: i.qualifyingData,
    clockInfo: i.clockInfo,
    firmwareVersion: i.firmwareVersion,
    quote: {
      pcrSelect: [...i.selection],
      pcrDigest: computePcrDigest(i.pcrDigestAlg ?? hashAlg, i.selection, selected),
    },
    raw: new Uint8Array(0),
  })
  const rs = i.sign
    ? i.sign(attest, hashAlg)
    : p256.sign(digest(hashAlg, attest), i.akPrivate, { prehash: false })
  const signature = marshalTpmtSignature({
    sigAlg: 'ecdsa',
    hashAlg,
    r: rs.subarray(0, 32),
    s: rs.subarray(32),
  })
  return { attest, signature, pcrs: selected }
}
