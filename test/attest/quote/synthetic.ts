/**
 * Synthetic TPM evidence for tests: an AK shaped like the tpm2-tools ECC AK (same attributes,
 * nameAlg and scheme unless overridden) but holding a software P-256 key, and quotes marshalled in
 * the TPM's exact format and signed with it (by the soft TPM's quote, bench/sim/soft-quote.ts). Lets tests reach the checks real vectors cannot
 * (unsafe clock, SHA-1, a scheme hash differing from nameAlg) while still going through the real
 * parsers. The key is fixed (derived from a label) so failures reproduce.
 */
import { p256 } from '@noble/curves/nist.js'
import { sha256 } from '@noble/hashes/sha2.js'
import akEccPub from '@shared/vectors/tpm2-tools/ak-ecc.pub?bytes'
import { utf8 } from '../../../attest/bytes/encoding.ts'
import { digest } from '../../../attest/crypto/hash.ts'
import { marshalTpmtPublic } from '../../../attest/tpm/marshal-public.ts'
import { marshalTpmtSignature } from '../../../attest/tpm/marshal-signature.ts'
import { parseTpm2bPublic, parseTpmtPublic } from '../../../attest/tpm/public.ts'
import type {
  EccPublic,
  HashAlg,
  PcrSelection,
  PcrValues,
  TpmPublic,
} from '../../../attest/tpm/types.ts'
import { softQuote as softQuoteWith } from '../../../bench/sim/soft-quote.ts'

export interface SoftAk {
  ak: TpmPublic
  sk: Uint8Array
}

export function softAk(label: string, over: Partial<EccPublic> = {}): SoftAk {
  const sk = sha256(utf8(label))
  const point = p256.getPublicKey(sk, false)
  const template = parseTpm2bPublic(akEccPub) as EccPublic
  const fields: EccPublic = {
    ...template,
    x: point.slice(1, 33),
    y: point.slice(33, 65),
    ...over,
  }
  return { ak: parseTpmtPublic(marshalTpmtPublic(fields)), sk }
}

export function softSign(sk: Uint8Array, hashAlg: HashAlg, message: Uint8Array): Uint8Array {
  const rs = p256.sign(digest(hashAlg, message), sk, { prehash: false })
  return marshalTpmtSignature({ sigAlg: 'ecdsa', hashAlg, r: rs.slice(0, 32), s: rs.slice(32) })
}

export function softQuote(
  k: SoftAk,
  opts: {
    nonce: Uint8Array
    hashAlg?: HashAlg
    selection?: PcrSelection[]
    values?: PcrValues
    safe?: boolean
    /** Hash for pcrDigest; defaults to the signature hash, as a TPM does. */
    pcrDigestAlg?: HashAlg
  },
): { attest: Uint8Array; signature: Uint8Array } {
  const hashAlg = opts.hashAlg ?? 'sha256'
  const selection = opts.selection ?? [{ hashAlg: 'sha256', pcrs: [0, 15] }]
  const values = opts.values ?? {
    sha256: { 0: new Uint8Array(32), 15: sha256(utf8('pcr 15')) },
  }
  const { attest, signature } = softQuoteWith({
    ak: k.ak as EccPublic,
    akPrivate: k.sk,
    qualifyingData: opts.nonce,
    selection,
    pcrs: values,
    clockInfo: { clock: 123456n, resetCount: 3, restartCount: 1, safe: opts.safe ?? true },
    firmwareVersion: 0x2019102300163636n,
    hashAlg,
    pcrDigestAlg: opts.pcrDigestAlg,
  })
  return { attest, signature }
}
