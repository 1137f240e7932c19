// The worker verifies ECDSA with the Wasm kernel unless ECDSA_BACKEND says "noble".
import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { getEcdsaBackend } from '../../../attest/crypto/ecdsa.ts'
import { selectEcdsaBackend } from '../../../worker/crypto/select-ecdsa.ts'

describe('ECDSA backend selection', () => {
  it('uses the Wasm kernel by default once a request has been served', async () => {
    expect((await exports.default.fetch('http://collector/healthz')).status).toBe(200)
    expect(getEcdsaBackend().name).toBe('wasm')
  })
  it('switches to noble and back, and refuses unknown names', () => {
    expect(selectEcdsaBackend({ ECDSA_BACKEND: 'noble' })).toBe('noble')
    expect(getEcdsaBackend().name).toBe('noble')
    expect(selectEcdsaBackend({})).toBe('wasm')
    expect(() => selectEcdsaBackend({ ECDSA_BACKEND: 'fast' })).toThrow(/ECDSA_BACKEND/)
  })
})
