/**
 * ECDSA verification over a message digest by the backend the caller passes (the noble reference
 * by default; the worker passes the Wasm kernel, worker/crypto/ecdsa-backend.ts), plus re-exports
 * of the signature decoders. Validates the public key before any backend sees it (SEC 1 §3.2.2.1), so every backend
 * rejects invalid keys the same way: AegisError ERR_KEY_INVALID. A signature that does not verify
 * is `false`, never an exception. Leaves out hashing: callers pass digest(hashAlg, message).
 */
import type { EccCurve } from '../tpm/types.ts'
import { assertValidEcPublicKey } from './ec-public-key.ts'
import type { EcdsaBackend } from './ecdsa-backend.ts'
import { nobleEcdsaBackend } from './ecdsa-noble.ts'

export { parseDerEcdsaSignature } from './ecdsa-der.ts'
export { splitP1363Signature } from './ecdsa-p1363.ts'

export function verifyEcdsa(
  curve: EccCurve,
  pub: { x: Uint8Array; y: Uint8Array },
  msgHash: Uint8Array,
  sig: { r: Uint8Array; s: Uint8Array },
  backend: EcdsaBackend = nobleEcdsaBackend,
): boolean {
  assertValidEcPublicKey(curve, pub.x, pub.y)
  return backend.verify(curve, pub.x, pub.y, msgHash, sig.r, sig.s) === true
}
