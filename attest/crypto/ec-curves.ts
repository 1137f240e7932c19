/**
 * Domain parameters of the NIST prime curves (FIPS 186-5 / SEC 2 §2.4-2.6) as BigInts, taken from
 * @noble/curves so there is one source of truth, plus the coordinate size in bytes.
 * Leaves out every other curve: TPMs and EK certificates in scope use P-256, P-384, P-521.
 */
import { p256, p384, p521 } from '@noble/curves/nist.js'
import { AegisError } from '../errors.ts'
import type { EccCurve } from '../tpm/types.ts'

export interface CurveParams {
  /** Field prime. */
  p: bigint
  /** Group order. */
  n: bigint
  a: bigint
  b: bigint
  /** Bytes per coordinate, per r and per s. */
  size: number
}

function params(c: typeof p256): CurveParams {
  const { p, n, a, b } = c.Point.CURVE()
  return { p, n, a, b, size: c.Point.Fp.BYTES }
}

const CURVES: Record<EccCurve, CurveParams> = {
  'P-256': params(p256),
  'P-384': params(p384),
  'P-521': params(p521),
}

export function curveParams(curve: EccCurve): CurveParams {
  if (typeof curve !== 'string' || !Object.hasOwn(CURVES, curve)) {
    throw new AegisError('ERR_KEY_UNSUPPORTED', `unsupported curve ${String(curve)}`)
  }
  return CURVES[curve]
}
