/**
 * Message digests and HMAC by name, their lengths, and the TPM_ALG_ID <-> name mapping for hash
 * algorithms.
 * Computed by node:crypto's createHash where the runtime has it (Node, and workerd with
 * nodejs_compat: native code, about 7x faster than JavaScript on a 1 KB input in workerd and
 * never slower on a short one), else by @noble/hashes (pure JS: the browser console). Both give
 * the same bytes (test/attest/crypto/hash.test.ts), returned as a plain Uint8Array of their own.
 * Leaves out SHA-3 and SM3: no TPM or certificate Aegis Edge accepts uses them.
 * Ids follow TPM 2.0 Part 2 §6.3 (TPM_ALG_SHA1 0x0004, SHA256 0x000B, SHA384 0x000C, SHA512 0x000D).
 */
import { hmac as jsHmacOf } from '@noble/hashes/hmac.js'
import { sha1 } from '@noble/hashes/legacy.js'
import { sha256 as jsSha256, sha384, sha512 } from '@noble/hashes/sha2.js'
import { AegisError } from '../errors.ts'
import type { HashAlg } from '../tpm/types.ts'

interface Updatable {
  update(d: Uint8Array): Updatable
  digest(): Uint8Array
}
type CreateHash = (alg: string) => Updatable
type CreateHmac = (alg: string, key: Uint8Array) => Updatable

/** node:crypto, or undefined where the runtime has none. */
const nodeCrypto = (() => {
  try {
    const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    return p?.getBuiltinModule?.('node:crypto') as
      { createHash?: unknown; createHmac?: unknown } | undefined
  } catch {
    return undefined
  }
})()
const createHash =
  typeof nodeCrypto?.createHash === 'function' ? (nodeCrypto.createHash as CreateHash) : undefined
const createHmac =
  typeof nodeCrypto?.createHmac === 'function' ? (nodeCrypto.createHmac as CreateHmac) : undefined

/** @noble/hashes' functions: callable for a digest, `.create()` for HMAC. */
const FN = { sha1, sha256: jsSha256, sha384, sha512 } as const satisfies Record<HashAlg, unknown>

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
  const a = known(alg)
  // A copy: node's digest is a Buffer, whose slice() shares memory, and it may sit in a pool.
  return createHash ? new Uint8Array(createHash(a).update(data).digest()) : FN[a](data)
}

/** The same digest by @noble/hashes alone (what runtimes without node:crypto compute). */
export function jsDigest(alg: HashAlg, data: Uint8Array): Uint8Array {
  return FN[known(alg)](data)
}

/** Whether digest() and hmac() run native code here (node:crypto) rather than JavaScript. */
export const NATIVE_DIGEST = createHash !== undefined && createHmac !== undefined

/**
 * HMAC (RFC 2104) with `alg` over the concatenation of `parts`: node:crypto's createHmac where
 * the runtime has it (3.5 µs for a 62-byte message in workerd against ~17 µs in JavaScript), else
 * @noble/hashes. Both give the same bytes (test/attest/crypto/hash.test.ts).
 */
export function hmac(alg: HashAlg, key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const a = known(alg)
  if (createHmac) {
    const h = createHmac(a, key)
    for (const p of parts) h.update(p)
    return new Uint8Array(h.digest())
  }
  return jsHmac(a, key, ...parts)
}

/** The same HMAC by @noble/hashes alone. */
export function jsHmac(alg: HashAlg, key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = jsHmacOf.create(FN[known(alg)], key)
  for (const p of parts) h.update(p)
  return h.digest()
}

/** SHA-256, the digest most callers want. */
export function sha256(data: Uint8Array): Uint8Array {
  return digest('sha256', data)
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
