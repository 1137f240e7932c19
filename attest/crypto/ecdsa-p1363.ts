/**
 * Splits an IEEE P1363 / RFC 7518 §3.4 ECDSA signature (r || s, each exactly the curve's field
 * size) into r and s. Any other length is ERR_SIG_MALFORMED. Leaves out range checks (the verifier
 * does those).
 */
import { AegisError } from '../errors.ts'
import type { EccCurve } from '../tpm/types.ts'
import { curveParams } from './ec-curves.ts'

export function splitP1363Signature(
  sig: Uint8Array,
  curve: EccCurve,
): { r: Uint8Array; s: Uint8Array } {
  const { size } = curveParams(curve)
  if (!(sig instanceof Uint8Array) || sig.length !== 2 * size) {
    throw new AegisError('ERR_SIG_MALFORMED', `P1363 ${curve} signature must be ${2 * size} bytes`)
  }
  return { r: sig.subarray(0, size), s: sig.subarray(size) }
}
