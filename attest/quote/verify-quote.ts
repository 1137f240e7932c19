/**
 * Checks a TPM2_Quote, cheapest step first, each failure with its own code:
 *   AK is a restricted signing key (ERR_AK_ATTRIBUTES): only then is "signed by the AK" proof that
 *     the TPM produced the TPMS_ATTEST, since a TPM refuses to sign look-alikes with such a key
 *   TPMS_ATTEST strictly parsed: magic, type QUOTE, no trailing bytes
 *   qualifiedSigner (ERR_QUOTE_SIGNER)
 *   extraData == expectedExtraData, constant time (ERR_QUOTE_NONCE)
 *   signature by the AK, scheme and hash policed (ERR_QUOTE_SIGNATURE and verify-tpm-signature.ts)
 *   clockInfo.safe (ERR_QUOTE_CLOCK_UNSAFE)
 *   quoted selection == expectedSelection, as sets of (bank, PCR) (ERR_PCR_SELECTION)
 *   PCR values: none missing (ERR_PCR_MISSING), none extra (ERR_PCR_EXTRA), digest (ERR_PCR_DIGEST)
 * qualifiedSigner is the AK's Qualified Name (Part 1 §16), which depends on the AK's parent chain,
 * never its plain Name: with `expectedSigner` (e.g. qualifiedName(ak, qualifiedName(ek,
 * handleName(TPM_RH.ENDORSEMENT))) for an AK made under the EK) it must match exactly; without,
 * it must be a name of the AK's nameAlg; the signature is what binds the quote to the AK.
 * pcrDigest uses the signature's hash (see pcr-digest.ts). Leaves out PCR policy, nonce freshness
 * and clock monotonicity: they need state or configuration and live with their callers.
 * Follows TPM 2.0 Part 3 §18.4 TPM2_Quote, Part 2 §10.12.12 TPMS_ATTEST.
 */
import { AegisError } from '../errors.ts'
import { bytesEqual, constantTimeEqual } from '../bytes/encoding.ts'
import { digestLength, tpmAlgOfHash } from '../crypto/hash.ts'
import type { EcdsaBackend } from '../crypto/ecdsa-backend.ts'
import { verifyTpmSignature } from '../crypto/verify-tpm-signature.ts'
import { parseTpmsAttest } from '../tpm/attest.ts'
import { parseTpmtSignature } from '../tpm/signature.ts'
import type {
  ClockInfo,
  HashAlg,
  PcrSelection,
  PcrValues,
  TpmPublic,
  TpmSignature,
  TpmsAttest,
} from '../tpm/types.ts'
import { computePcrDigest } from './pcr-digest.ts'

export interface VerifyQuoteInput {
  ak: TpmPublic
  /** TPMS_ATTEST bytes as signed (tpm2_quote -m). */
  attest: Uint8Array
  /** TPMT_SIGNATURE bytes (tpm2_quote -s). */
  signature: Uint8Array
  expectedExtraData: Uint8Array
  /** PCR values claimed for the quote; when given, they must be exactly the selected ones. */
  pcrs?: PcrValues
  expectedSelection?: readonly PcrSelection[]
  allowedHashes?: readonly HashAlg[]
  /** The AK's Qualified Name; see the header for what is checked without it. */
  expectedSigner?: Uint8Array
  /** ECDSA implementation; default the noble reference. */
  ecdsa?: EcdsaBackend
}

export interface QuoteResult {
  attest: TpmsAttest
  signature: TpmSignature
  clockInfo: ClockInfo
  firmwareVersion: bigint
  selection: PcrSelection[]
  pcrDigest: Uint8Array
  /** The selected PCR values (only when `pcrs` was given). */
  pcrs?: PcrValues
}

export function verifyQuote(input: VerifyQuoteInput): QuoteResult {
  const { ak } = input
  assertRestrictedSigner(ak)
  const attest = parseTpmsAttest(input.attest)
  if (attest.type !== 'quote' || !attest.quote) {
    throw new AegisError('ERR_ATTEST_TYPE', 'TPMS_ATTEST is not a quote', {
      detail: { attestType: attest.type },
    })
  }
  if (!signerMatches(attest.qualifiedSigner, ak, input.expectedSigner)) {
    throw new AegisError('ERR_QUOTE_SIGNER', 'quote was not made by this AK')
  }
  if (!constantTimeEqual(attest.extraData, input.expectedExtraData)) {
    throw new AegisError('ERR_QUOTE_NONCE', 'quote extraData does not match the expected nonce')
  }
  const signature = parseTpmtSignature(input.signature)
  verifyTpmSignature(ak, input.attest, signature, {
    allowedHashes: input.allowedHashes,
    ecdsa: input.ecdsa,
    invalidCode: 'ERR_QUOTE_SIGNATURE',
  })
  if (!attest.clockInfo.safe) {
    throw new AegisError('ERR_QUOTE_CLOCK_UNSAFE', 'TPM clock may have gone backwards (safe = 0)')
  }
  const { pcrSelect, pcrDigest } = attest.quote
  if (input.expectedSelection && !sameSelection(pcrSelect, input.expectedSelection)) {
    throw new AegisError('ERR_PCR_SELECTION', 'quoted PCR selection differs from the expected one')
  }
  const result: QuoteResult = {
    attest,
    signature,
    clockInfo: attest.clockInfo,
    firmwareVersion: attest.firmwareVersion,
    selection: pcrSelect,
    pcrDigest,
  }
  if (input.pcrs) result.pcrs = checkPcrs(pcrSelect, pcrDigest, input.pcrs, signature.hashAlg)
  return result
}

export function assertRestrictedSigner(key: TpmPublic): void {
  if (!key.attrs.restricted || !key.attrs.sign || key.attrs.decrypt) {
    throw new AegisError(
      'ERR_AK_ATTRIBUTES',
      'attestation key must be restricted, sign, not decrypt',
    )
  }
}

/** Exact match against the expected Qualified Name, or a well-formed name of the key's nameAlg. */
export function signerMatches(signer: Uint8Array, key: TpmPublic, expected?: Uint8Array): boolean {
  if (expected) return bytesEqual(signer, expected)
  const alg = tpmAlgOfHash(key.nameAlg)
  return (
    signer.length === 2 + digestLength(key.nameAlg) &&
    signer[0] === alg >> 8 &&
    signer[1] === (alg & 0xff)
  )
}

function pairs(sel: readonly PcrSelection[]): Set<string> {
  const out = new Set<string>()
  for (const s of sel) for (const p of s.pcrs) out.add(`${s.hashAlg}:${p}`)
  return out
}

function sameSelection(a: readonly PcrSelection[], b: readonly PcrSelection[]): boolean {
  const pa = pairs(a)
  const pb = pairs(b)
  if (pa.size !== pb.size) return false
  for (const p of pa) if (!pb.has(p)) return false
  return true
}

function checkPcrs(
  selection: readonly PcrSelection[],
  pcrDigest: Uint8Array,
  supplied: PcrValues,
  hashAlg: HashAlg,
): PcrValues {
  const selected = pairs(selection)
  const out: PcrValues = {}
  for (const s of selection) {
    for (const pcr of s.pcrs) {
      const v = supplied[s.hashAlg]?.[pcr]
      if (!v) {
        throw new AegisError(
          'ERR_PCR_MISSING',
          `${s.hashAlg} PCR ${pcr} was quoted but not supplied`,
          {
            detail: { bank: s.hashAlg, pcr },
          },
        )
      }
      ;(out[s.hashAlg] ??= {})[pcr] = v
    }
  }
  // Keys come from JSON as strings, so compare their canonical decimal form with the selection.
  for (const [bank, values] of Object.entries(supplied)) {
    for (const key of Object.keys(values ?? {})) {
      if (!selected.has(`${bank}:${key}`)) {
        throw new AegisError('ERR_PCR_EXTRA', `${bank} PCR ${key} was supplied but not quoted`, {
          detail: { bank, pcr: key },
        })
      }
    }
  }
  if (!bytesEqual(computePcrDigest(hashAlg, selection, out), pcrDigest)) {
    throw new AegisError('ERR_PCR_DIGEST', 'PCR values do not hash to the quoted pcrDigest')
  }
  return out
}
