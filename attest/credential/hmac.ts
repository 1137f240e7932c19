/**
 * HMAC (RFC 2104) over the TPM hash algorithms, for KDFa and the credential integrity check.
 * Backed by @noble/hashes. Leaves out SHA-3 and SM3, as attest/crypto/hash.ts does.
 */
import { hmac } from '@noble/hashes/hmac.js'
import { sha1 } from '@noble/hashes/legacy.js'
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js'
import { AegisError } from '../errors.ts'
import type { HashAlg } from '../tpm/types.ts'

const HASH = { sha1, sha256, sha384, sha512 } as const

export function hmacDigest(alg: HashAlg, key: Uint8Array, data: Uint8Array): Uint8Array {
  if (typeof alg !== 'string' || !Object.hasOwn(HASH, alg)) {
    throw new AegisError('ERR_TPM_UNSUPPORTED_ALG', `unsupported hash ${String(alg)}`)
  }
  return hmac(HASH[alg], key, data)
}
