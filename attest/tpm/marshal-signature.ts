/**
 * Marshals a TpmSignature as TPMT_SIGNATURE; the inverse of parseTpmtSignature, so signatures
 * made with software keys in tests and benchmarks look exactly like a TPM's.
 * Follows TPM 2.0 Part 2 §11.3.4 TPMT_SIGNATURE.
 */
import { ByteWriter } from '../bytes/writer.ts'
import { tpmAlgOfHash } from '../crypto/hash.ts'
import { TPM_ALG } from './constants.ts'
import type { TpmSignature } from './types.ts'

export function marshalTpmtSignature(sig: TpmSignature): Uint8Array {
  const w = new ByteWriter()
  if (sig.sigAlg === 'ecdsa') {
    w.u16(TPM_ALG.ECDSA).u16(tpmAlgOfHash(sig.hashAlg)).sized(sig.r).sized(sig.s)
  } else {
    w.u16(sig.sigAlg === 'rsassa' ? TPM_ALG.RSASSA : TPM_ALG.RSAPSS)
    w.u16(tpmAlgOfHash(sig.hashAlg)).sized(sig.sig)
  }
  return w.finish()
}
