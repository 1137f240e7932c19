/**
 * The seam between ECDSA verification and its implementation. The reference backend is
 * @noble/curves (ecdsa-noble.ts); the Wasm kernel (wasm/) provides another. Both get
 * already-parsed, public inputs: the caller has decoded the key and the signature and hashed the
 * message. A backend returns true/false for the signature and never throws for a bad signature.
 */
import type { EccCurve } from '../tpm/types.ts'

export interface EcdsaBackend {
  readonly name: string
  /**
   * Verify (r, s) over `msgHash` for the affine public key (x, y), all big-endian unsigned.
   * Must check: 0 < r, s < n; the key is on the curve and not the identity; the x mod n equation.
   * `msgHash` longer than the group order is truncated per SEC 1 §4.1.4 (leftmost bits).
   */
  verify(
    curve: EccCurve,
    x: Uint8Array,
    y: Uint8Array,
    msgHash: Uint8Array,
    r: Uint8Array,
    s: Uint8Array,
  ): boolean
}
