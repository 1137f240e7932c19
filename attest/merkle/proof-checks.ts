/**
 * Shared guards for the proof verifiers: every hash in a proof is exactly 32 bytes (RFC 9162
 * §2.1: SHA-256), and every failure is one AegisError code, ERR_LOG_PROOF, whatever the cause, so
 * callers cannot be led to treat some broken proofs more kindly than others.
 */
import { AegisError } from '../errors.ts'
import { HASH_SIZE } from './hash.ts'

export function checkHashes(a: Uint8Array, b: Uint8Array, path: readonly Uint8Array[]): void {
  if (!Array.isArray(path)) throw fail('proof path is not a list')
  for (const h of [a, b, ...path]) {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
      throw fail(`proof hashes must be ${HASH_SIZE} bytes`)
    }
  }
}

export function fail(message: string, detail?: Record<string, unknown>): AegisError {
  return new AegisError('ERR_LOG_PROOF', message, detail ? { detail } : {})
}
