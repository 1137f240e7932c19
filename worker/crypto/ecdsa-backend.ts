/**
 * The ECDSA implementation the worker passes to every verification (quotes, EK chains), from
 * `ECDSA_BACKEND`: "wasm" (the default: the AssemblyScript kernel in wasm/) or "noble" (the
 * @noble/curves reference). Both give the same answers (test/wasm). The Wasm backend is built once
 * per isolate from the module the bundler compiled (wrangler / the vitest pool) and kept: a
 * loss-tolerant cache, not request state.
 */
import ecdsaWasm from '../../wasm/build/ecdsa.wasm'
import type { EcdsaBackend } from '../../attest/crypto/ecdsa-backend.ts'
import { nobleEcdsaBackend } from '../../attest/crypto/ecdsa-noble.ts'
import { createWasmEcdsaBackend } from '../../attest/crypto/ecdsa-wasm.ts'
import { AegisError } from '../../attest/errors.ts'

let wasm: EcdsaBackend | undefined

/** The backend `ECDSA_BACKEND` names (an optional var, so not in the generated Env type). */
export function ecdsaBackend(env: object): EcdsaBackend {
  const v = (env as { ECDSA_BACKEND?: unknown }).ECDSA_BACKEND
  const want = (typeof v === 'string' && v.trim()) || 'wasm'
  if (want === 'wasm') return (wasm ??= createWasmEcdsaBackend(ecdsaWasm, nobleEcdsaBackend))
  if (want === 'noble') return nobleEcdsaBackend
  throw new AegisError('ERR_INTERNAL', `ECDSA_BACKEND must be "wasm" or "noble", not "${want}"`)
}
