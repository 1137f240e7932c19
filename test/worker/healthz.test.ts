import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

describe('healthz', () => {
  it('answers 200 with a JSON body', async () => {
    const res = await exports.default.fetch('http://collector/healthz')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true, service: 'aegis-edge' })
  })
  it('answers problem+json for unknown routes', async () => {
    const res = await exports.default.fetch('http://collector/nope')
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(await res.json()).toMatchObject({ code: 'ERR_NOT_FOUND', status: 404 })
  })
})
