/**
 * GET /.well-known/jwks.json and the collector key set behind it: public members only, every key
 * in order, rotation (first key signs, all published), and refusal of bad key configuration.
 */
import { compactVerify, decodeProtectedHeader, errors, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { AegisError } from '../../../attest/errors.ts'
import { collectorKeys } from '../../../worker/tokens/collector-keys.ts'
import { signReceipt } from '../../../worker/tokens/sign-receipt.ts'
import { bindings } from '../auth/mint.ts'
import { app, keyEnv, privateJwk, publishedKeys } from './keys.ts'

const receipt = {
  batchId: 'ab'.repeat(32),
  agentId: 'cd'.repeat(32),
  verdict: 'accepted',
  zone: 'z1',
}

describe('GET /.well-known/jwks.json', () => {
  it('publishes the configured keys, public members only, cacheable', async () => {
    const env = { COLLECTOR_SIGNING_JWKS: bindings.COLLECTOR_SIGNING_JWKS }
    const res = await app.request('/.well-known/jwks.json', {}, env)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/jwk-set+json')
    expect(res.headers.get('cache-control')).toBe('public, max-age=300')
    const body = (await res.json()) as { keys: Record<string, unknown>[] }
    const configured = (
      JSON.parse(bindings.COLLECTOR_SIGNING_JWKS) as { keys: Record<string, string>[] }
    ).keys
    expect(body.keys).toHaveLength(configured.length)
    for (const [i, k] of body.keys.entries()) {
      expect(Object.keys(k).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'])
      expect(k).toMatchObject({
        kty: 'EC',
        crv: 'P-256',
        alg: 'ES256',
        use: 'sig',
        kid: configured[i]!.kid,
      })
      expect(JSON.stringify(body)).not.toContain(configured[i]!.d!)
    }
  })

  it('answers 500 problem+json ERR_INTERNAL, without key material, when the set is bad', async () => {
    const k = await privateJwk('k1')
    const res = await app.request('/.well-known/jwks.json', {}, keyEnv({ ...k, crv: 'P-384' }))
    expect(res.status).toBe(500)
    const text = await res.text()
    expect(JSON.parse(text)).toMatchObject({ code: 'ERR_INTERNAL' })
    expect(text).not.toContain(k.d!)
    const none = await app.request('/.well-known/jwks.json', {}, {})
    expect(none.status).toBe(500)
  })
})

describe('collector key rotation', () => {
  it('signs with the first key, publishes both, and old tokens still verify', async () => {
    const oldKey = await privateJwk('collector-2026-01')
    const newKey = await privateJwk('collector-2026-07')
    const before = keyEnv(oldKey)
    const during = keyEnv(newKey, oldKey)
    const after = keyEnv(newKey)

    const oldReceipt = await signReceipt(before, receipt)
    const newReceipt = await signReceipt(during, receipt)
    expect(decodeProtectedHeader(oldReceipt).kid).toBe('collector-2026-01')
    expect(decodeProtectedHeader(newReceipt).kid).toBe('collector-2026-07')

    const { jwks, keySet } = await publishedKeys(during)
    expect(jwks.keys.map((k) => k.kid)).toEqual(['collector-2026-07', 'collector-2026-01'])
    await expect(jwtVerify(newReceipt, keySet)).resolves.toBeTruthy()
    await expect(jwtVerify(oldReceipt, keySet)).resolves.toBeTruthy()

    // Once the old key is removed, what it signed no longer verifies against the published set.
    const { keySet: later } = await publishedKeys(after)
    await expect(compactVerify(oldReceipt, later)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey)
    await expect(compactVerify(newReceipt, later)).resolves.toBeTruthy()
  })
})

describe('collector key configuration', () => {
  async function codeOf(p: Promise<unknown>): Promise<string> {
    try {
      await p
    } catch (e) {
      expect(e).toBeInstanceOf(AegisError)
      return (e as AegisError).code
    }
    return 'resolved'
  }

  it('caches the parsed set per secret text', async () => {
    const env = keyEnv(await privateJwk('c1'))
    expect(collectorKeys(env)).toBe(collectorKeys(env))
    expect(collectorKeys(env)).not.toBe(collectorKeys(keyEnv(await privateJwk('c1'))))
  })

  it.each([
    ['unset', async () => ({})],
    ['empty', async () => ({ COLLECTOR_SIGNING_JWKS: '' })],
    ['not JSON', async () => ({ COLLECTOR_SIGNING_JWKS: '{"keys":' })],
    ['no keys', async () => keyEnv()],
    [
      'a public key only',
      async () => {
        const { d: _d, ...pub } = await privateJwk('p1')
        return keyEnv(pub)
      },
    ],
    [
      'a key without kid',
      async () => {
        const { kid: _k, ...nokid } = await privateJwk('x')
        return keyEnv(nokid)
      },
    ],
    ['a repeated kid', async () => keyEnv(await privateJwk('same'), await privateJwk('same'))],
    ['an RS256 key', async () => keyEnv({ ...(await privateJwk('r1')), alg: 'RS256' })],
    [
      'a bad second key',
      async () => keyEnv(await privateJwk('ok'), { ...(await privateJwk('bad')), d: 'AAAA' }),
    ],
    [
      'x/y of another key',
      async () => {
        const a = await privateJwk('a')
        const b = await privateJwk('b')
        return keyEnv({ ...a, x: b.x, y: b.y })
      },
    ],
  ])('refuses %s with ERR_INTERNAL', async (_name, make) => {
    const env = await make()
    expect(await codeOf(collectorKeys(env))).toBe('ERR_INTERNAL')
    expect(await codeOf(signReceipt(env, receipt))).toBe('ERR_INTERNAL')
  })

  it('names the key, never its private part, in the error', async () => {
    const a = await privateJwk('visible-kid')
    const b = await privateJwk('b')
    try {
      await collectorKeys(keyEnv({ ...a, x: b.x, y: b.y }))
      expect.unreachable()
    } catch (e) {
      expect((e as Error).message).toContain('visible-kid')
      expect((e as Error).message).not.toContain(a.d!)
    }
  })
})
