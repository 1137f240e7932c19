/**
 * Public-key validation for ECDSA (SEC 1 §3.2.2.1, partial public-key validation, which is complete
 * for prime-order curves like the NIST ones): each coordinate exactly the field size, both below p,
 * the point on the curve. The identity has no affine form, so an affine point that passes these
 * checks is never the identity. Leaves out compressed points: TPMs marshal both coordinates.
 */
import { bytesToBigInt } from '../bytes/encoding.ts'
import { AegisError } from '../errors.ts'
import type { EccCurve } from '../tpm/types.ts'
import { curveParams } from './ec-curves.ts'

export function assertValidEcPublicKey(curve: EccCurve, x: Uint8Array, y: Uint8Array): void {
  const { p, a, b, size } = curveParams(curve)
  if (
    !(x instanceof Uint8Array) ||
    !(y instanceof Uint8Array) ||
    x.length !== size ||
    y.length !== size
  ) {
    throw new AegisError('ERR_KEY_INVALID', `${curve} public key coordinates must be ${size} bytes`)
  }
  const X = bytesToBigInt(x)
  const Y = bytesToBigInt(y)
  if (X >= p || Y >= p)
    throw new AegisError('ERR_KEY_INVALID', `${curve} public key coordinate >= p`)
  if ((Y * Y - (X * X * X + a * X + b)) % p !== 0n) {
    throw new AegisError('ERR_KEY_INVALID', `${curve} public key is not on the curve`)
  }
}
