/**
 * Message digests by name, their lengths, and the TPM_ALG_ID <-> name mapping for hash algorithms.
 * Backed by @noble/hashes (pure JS, so the same code runs in workerd, Node and the CLI).
 * Leaves out SHA-3 and SM3: no TPM or certificate Aegis Edge accepts uses them.
 * Ids follow TPM 2.0 Part 2 §6.3 (TPM_ALG_SHA1 0x0004, SHA256 0x000B, SHA384 0x000C, SHA512 0x000D).
 */
import { sha1 } from '@noble/hashes/legacy.js'
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js'
import { AegisError } from '../errors.ts'
import type { HashAlg } from '../tpm/types.ts'

const FN: Record<HashAlg, (data: Uint8Array) => Uint8Array> = {
  sha1,
  sha256,
  sha384,
  sha512,
}

const LENGTH: Record<HashAlg, number> = {
  sha1: 20,
  sha256: 32,
  sha384: 48,
  sha512: 64,
}

const TPM_ID: Record<HashAlg, number> = {
  sha1: 0x0004,
  sha256: 0x000b,
  sha384: 0x000c,
  sha512: 0x000d,
}

// Names arrive from parsed input at runtime, so guard against inherited keys like 'constructor'.
function known(alg: HashAlg): HashAlg {
  if (typeof alg !== 'string' || !Object.hasOwn(LENGTH, alg)) {
    throw new AegisError('ERR_TPM_UNSUPPORTED_ALG', `unsupported hash ${String(alg)}`)
  }
  return alg
}

export function digest(alg: HashAlg, data: Uint8Array): Uint8Array {
  return FN[known(alg)](data)
}

export function digestLength(alg: HashAlg): number {
  return LENGTH[known(alg)]
}

/** TPM_ALG_ID -> hash name; any other id (including TPM_ALG_NULL) is ERR_TPM_UNSUPPORTED_ALG. */
export function hashAlgFromTpm(id: number): HashAlg {
  for (const alg of Object.keys(TPM_ID) as HashAlg[]) if (TPM_ID[alg] === id) return alg
  throw new AegisError(
    'ERR_TPM_UNSUPPORTED_ALG',
    `unsupported TPM hash algorithm 0x${id.toString(16)}`,
    {
      detail: { algId: id },
    },
  )
}

export function tpmAlgOfHash(alg: HashAlg): number {
  return TPM_ID[known(alg)]
}
