/**
 * HMAC (RFC 2104) over the TPM hash algorithms, for KDFa and the credential integrity check:
 * attest/crypto/hash.ts `hmac` (node:crypto where the runtime has it, else @noble/hashes). Leaves
 * out SHA-3 and SM3, as attest/crypto/hash.ts does.
 */
import { hmac } from '../crypto/hash.ts'
import type { HashAlg } from '../tpm/types.ts'

export function hmacDigest(alg: HashAlg, key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(alg, key, data)
}
