/**
 * Node side of the Wasm ECDSA backend: reads wasm/build/ecdsa.wasm (built by `npm run build:wasm`)
 * from disk, compiles it and wraps it with createWasmEcdsaBackend. Node, unlike workerd, may compile
 * Wasm at run time. Leaves out choosing the backend (callers pass it to verifyEcdsa) and P-521 unless
 * a `fallback` is passed. A missing or unreadable file is ERR_IO, a file that is not the kernel
 * ERR_CONFIG.
 */
import { readFileSync } from 'node:fs'
import { AegisError } from '../../attest/errors.ts'
import type { EcdsaBackend } from '../../attest/crypto/ecdsa-backend.ts'
import { createWasmEcdsaBackend } from '../../attest/crypto/ecdsa-wasm.ts'

export const ECDSA_WASM_URL = new URL('../../wasm/build/ecdsa.wasm', import.meta.url)

export function loadWasmEcdsaBackend(
  options: { path?: string | URL; fallback?: EcdsaBackend } = {},
): EcdsaBackend {
  const path = options.path ?? ECDSA_WASM_URL
  let bytes: Uint8Array<ArrayBuffer>
  try {
    bytes = readFileSync(path)
  } catch (e) {
    throw new AegisError('ERR_IO', `cannot read ${String(path)} (run npm run build:wasm)`, {
      cause: e,
    })
  }
  let mod: WebAssembly.Module
  try {
    mod = new WebAssembly.Module(bytes)
  } catch (e) {
    throw new AegisError('ERR_CONFIG', `${String(path)} is not a valid Wasm module`, { cause: e })
  }
  return createWasmEcdsaBackend(mod, options.fallback)
}
