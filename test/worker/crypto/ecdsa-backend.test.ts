// The worker verifies ECDSA with the Wasm kernel unless ECDSA_BACKEND says "noble", and passes the
// backend into each verification (no process-wide switch).
import { describe, expect, it } from 'vitest'
import { nobleEcdsaBackend } from '../../../attest/crypto/ecdsa-noble.ts'
import { ecdsaBackend } from '../../../worker/crypto/ecdsa-backend.ts'

describe('ECDSA backend selection', () => {
  it('uses the Wasm kernel by default, built once per isolate', () => {
    const b = ecdsaBackend({})
    expect(b.name).toBe('wasm')
    expect(ecdsaBackend({ ECDSA_BACKEND: ' wasm ' })).toBe(b)
  })
  it('gives noble when asked, and refuses unknown names', () => {
    expect(ecdsaBackend({ ECDSA_BACKEND: 'noble' })).toBe(nobleEcdsaBackend)
    expect(() => ecdsaBackend({ ECDSA_BACKEND: 'fast' })).toThrow(/ECDSA_BACKEND/)
  })
})
