/**
 * The reference ECDSA backend: @noble/curves verification over an already hashed message
 * (SEC 1 §4.1.4). noble v2 hashes the message itself by default and refuses high-S signatures
 * by default; TPMs produce high-S signatures and we hand it a digest, so both are switched off
 * explicitly (`prehash: false`, `lowS: false`). Range checks and key validation are done here
 * too rather than trusting library defaults. Leaves out DER/P1363 parsing (ecdsa-der.ts,
 * ecdsa-p1363.ts) and hashing (the caller's job).
 */
import { p256, p384, p521 } from '@noble/curves/nist.js'
import { bigIntToBytes, bytesToBigInt, concat } from '../bytes/encoding.ts'
import type { EccCurve } from '../tpm/types.ts'
import { curveParams } from './ec-curves.ts'
import { assertValidEcPublicKey } from './ec-public-key.ts'
import type { EcdsaBackend } from './ecdsa-backend.ts'

const IMPL = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const

export const nobleEcdsaBackend: EcdsaBackend = {
  name: 'noble',
  verify(curve: EccCurve, x, y, msgHash, r, s) {
    const { n, size } = curveParams(curve)
    assertValidEcPublicKey(curve, x, y)
    const R = bytesToBigInt(r)
    const S = bytesToBigInt(s)
    if (R <= 0n || R >= n || S <= 0n || S >= n) return false
    const sig = concat(bigIntToBytes(R, size), bigIntToBytes(S, size))
    const pub = concat(Uint8Array.of(4), x, y)
    try {
      return IMPL[curve].verify(sig, msgHash, pub, {
        prehash: false,
        lowS: false,
        format: 'compact',
      })
    } catch {
      // noble throws only for inputs it considers malformed; all were validated above, so this is
      // a signature that cannot verify.
      return false
    }
  },
}
