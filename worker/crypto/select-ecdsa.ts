/**
 * Choose the ECDSA implementation for this isolate from `ECDSA_BACKEND` ("wasm", the default: the
 * AssemblyScript kernel in wasm/; "noble": the @noble/curves reference). Chosen once per isolate on
 * the first request (a configuration switch, identical for every request); both give the same
 * answers (test/wasm). The Wasm module is compiled by the bundler (wrangler / the vitest pool).
 */
import ecdsaWasm from '../../wasm/build/ecdsa.wasm'
import { getEcdsaBackend, setEcdsaBackend } from '../../attest/crypto/ecdsa.ts'
import { nobleEcdsaBackend } from '../../attest/crypto/ecdsa-noble.ts'
import { createWasmEcdsaBackend } from '../../attest/crypto/ecdsa-wasm.ts'
import { AegisError } from '../../attest/errors.ts'

let chosen: string | undefined

export function selectEcdsaBackend(env: { ECDSA_BACKEND?: string }): string {
  const want = env.ECDSA_BACKEND?.trim() || 'wasm'
  if (chosen === want) return want
  if (want === 'wasm') setEcdsaBackend(createWasmEcdsaBackend(ecdsaWasm, nobleEcdsaBackend))
  else if (want === 'noble') setEcdsaBackend(nobleEcdsaBackend)
  else
    throw new AegisError('ERR_INTERNAL', `ECDSA_BACKEND must be "wasm" or "noble", not "${want}"`)
  chosen = want
  return getEcdsaBackend().name
}
