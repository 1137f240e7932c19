/**
 * TPM2_Quote done in software, for the soft TPM (a software TPM stand-in for load generation
 * only): TPMS_ATTEST of type QUOTE over the given PCR values (pcrDigest = SHA-256 of the selected
 * values in selection order, as attest/quote/pcr-digest.ts computes it), marshalled by attest's
 * marshaller and signed ECDSA-SHA256 with the AK's private scalar, returned as TPMT_SIGNATURE.
 * Signed with node:crypto (about 20x cheaper than @noble/curves here: the load generator shares the
 * two cores with the collector it measures); random per-signature nonces, and, as a real TPM's,
 * the S half is not normalized to low S. qualifiedSigner is the AK's Name: the collector checks only its
 * shape (a real TPM writes the Qualified Name, which depends on the AK's parent).
 * Leaves out RSA AKs and other banks than SHA-256.
 * Follows TPM 2.0 Part 3 §18.4 TPM2_Quote, Part 2 §10.12.12 TPMS_ATTEST and §11.3.4 TPMT_SIGNATURE.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto'
import { toB64url } from '../../attest/bytes/encoding.ts'
import { computePcrDigest } from '../../attest/quote/pcr-digest.ts'
import { TPM_GENERATED_VALUE } from '../../attest/tpm/constants.ts'
import { marshalTpmsAttest } from '../../attest/tpm/marshal-attest.ts'
import { marshalTpmtSignature } from '../../attest/tpm/marshal-signature.ts'
import { objectName } from '../../attest/tpm/name.ts'
import type { ClockInfo, EccPublic, PcrSelection, PcrValues } from '../../attest/tpm/types.ts'

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
}

export interface SoftQuote {
  attest: Uint8Array
  signature: Uint8Array
  /** The selected values, as the agent sends them beside the quote. */
  pcrs: PcrValues
}

const keys = new WeakMap<Uint8Array, KeyObject>()

function akKey(ak: EccPublic, d: Uint8Array): KeyObject {
  let k = keys.get(d)
  if (!k) {
    const jwk = { kty: 'EC', crv: 'P-256', d: toB64url(d), x: toB64url(ak.x), y: toB64url(ak.y) }
    k = createPrivateKey({ format: 'jwk', key: jwk })
    keys.set(d, k)
  }
  return k
}

export function softQuote(i: SoftQuoteInput): SoftQuote {
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
      pcrDigest: computePcrDigest('sha256', i.selection, selected),
    },
    raw: new Uint8Array(0),
  })
  const rs = sign('sha256', attest, { key: akKey(i.ak, i.akPrivate), dsaEncoding: 'ieee-p1363' })
  const signature = marshalTpmtSignature({
    sigAlg: 'ecdsa',
    hashAlg: 'sha256',
    r: rs.subarray(0, 32),
    s: rs.subarray(32),
  })
  return { attest, signature, pcrs: selected }
}
