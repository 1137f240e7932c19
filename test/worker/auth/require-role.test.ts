/**
 * requireRole(): the middleware mounted on a small app of its own (not the collector's routes),
 * with role tokens minted here by jose. Trust comes from the workerd project's bindings
 * (vitest.config.ts: ACCESS_JWKS, ACCESS_ISSUER, ACCESS_AUDIENCE from scripts/dev-vars.mjs), or
 * from an env built per test. Outbound fetches are stubbed where a remote key set is configured.
 */
import { Hono } from 'hono'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AegisError } from '../../../attest/errors.ts'
import { problemResponse } from '../../../worker/http/problem.ts'
import { requireRole } from '../../../worker/auth/require-role.ts'
import type { Role } from '../../../worker/auth/roles.ts'
import type { AccessEnv, AuthVariables } from '../../../worker/auth/types.ts'
import { adminKey, bindings, mint, unsecured, type TestKey } from './mint.ts'

const app = new Hono<{ Bindings: AccessEnv; Variables: AuthVariables }>()
app.get('/viewer', requireRole('viewer'), (c) => c.json(c.get('principal')))
app.get('/auditor', requireRole('auditor'), (c) => c.json(c.get('principal')))
app.get('/operator', requireRole('operator'), (c) => c.json(c.get('principal')))
app.get('/auditor-or-operator', requireRole('operator', 'auditor'), (c) =>
  c.json(c.get('principal')),
)
app.onError((err, c) => problemResponse(c.req.url, err))

// Development trust (the dev issuer and dev-* keys) applies only in development or test.
const devEnv: AccessEnv = {
  ENVIRONMENT: 'test',
  ACCESS_JWKS: bindings.ACCESS_JWKS,
  ACCESS_ISSUER: bindings.ACCESS_ISSUER,
  ACCESS_AUDIENCE: bindings.ACCESS_AUDIENCE,
}

function call(path: string, headers: Record<string, string> = {}, env: AccessEnv = devEnv) {
  return app.request(path, { headers }, env)
}
const bearer = (t: string) => ({ authorization: `Bearer ${t}` })

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  const body = (await res.json()) as {
    code: string
    detail?: string
    reason?: string
    required?: string[]
  }
  expect(body.code).toBe(code)
  return body
}

async function freshKey(
  alg: 'ES256' | 'RS256' | 'EdDSA',
  kid: string | undefined,
): Promise<TestKey & { jwk: object }> {
  const kp = await generateKeyPair(alg, { extractable: true })
  const jwk = { ...(await exportJWK(kp.publicKey)), ...(kid ? { kid } : {}) }
  return { kid, key: kp.privateKey, alg, jwk }
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('requireRole: missing and malformed tokens', () => {
  it('401 ERR_AUTH_MISSING with a Bearer challenge when no token is sent', async () => {
    const res = await call('/viewer')
    await expectProblem(res, 401, 'ERR_AUTH_MISSING')
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="aegis-edge"')
  })

  it('treats a non-Bearer Authorization header as no token', async () => {
    const res = await call('/viewer', { authorization: 'Basic dXNlcjpwYXNz' })
    await expectProblem(res, 401, 'ERR_AUTH_MISSING')
  })

  it.each([
    ['not a JWT', 'not-a-jwt'],
    ['three garbage segments', 'a.b.c'],
    ['a header that is not JSON', 'eyJub3QganNvbg.eyJzdWIiOiJ4In0.c2ln'],
  ])('401 ERR_AUTH_INVALID for %s', async (_name, token) => {
    const res = await call('/viewer', bearer(token))
    await expectProblem(res, 401, 'ERR_AUTH_INVALID')
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="aegis-edge", error="invalid_token"',
    )
  })

  it('refuses alg none', async () => {
    const now = Math.floor(Date.now() / 1000)
    const token = unsecured({
      iss: bindings.ACCESS_ISSUER,
      aud: bindings.ACCESS_AUDIENCE,
      sub: 'mallory',
      exp: now + 300,
      roles: ['operator'],
    })
    await expectProblem(await call('/viewer', bearer(token)), 401, 'ERR_AUTH_INVALID')
  })

  it('refuses HS256 keyed with the public key text (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(bindings.ACCESS_JWKS)
    const token = await new SignJWT({ roles: ['operator'] })
      .setProtectedHeader({ alg: 'HS256', kid: (await adminKey()).kid! })
      .setIssuer(bindings.ACCESS_ISSUER)
      .setAudience(bindings.ACCESS_AUDIENCE)
      .setSubject('mallory')
      .setExpirationTime('5m')
      .sign(secret)
    const body = await expectProblem(await call('/viewer', bearer(token)), 401, 'ERR_AUTH_INVALID')
    expect(body.reason).toBe('algorithm')
  })
})

describe('requireRole: token validity', () => {
  it('admits a valid token and puts the principal on the context', async () => {
    const res = await call('/viewer', bearer(await mint({ roles: ['viewer'] })))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      sub: 'test-user',
      roles: ['viewer'],
      iss: bindings.ACCESS_ISSUER,
    })
  })

  it('refuses an expired token', async () => {
    const res = await call('/viewer', bearer(await mint({ roles: ['viewer'], exp: -120 })))
    expect((await expectProblem(res, 401, 'ERR_AUTH_INVALID')).reason).toBe('expired')
  })

  it('tolerates a few seconds of clock skew, no more', async () => {
    expect((await call('/viewer', bearer(await mint({ roles: ['viewer'], exp: -5 })))).status).toBe(
      200,
    )
    const late = await call('/viewer', bearer(await mint({ roles: ['viewer'], exp: -31 })))
    await expectProblem(late, 401, 'ERR_AUTH_INVALID')
  })

  it('refuses a token without exp', async () => {
    await expectProblem(
      await call('/viewer', bearer(await mint({ roles: ['viewer'], exp: null }))),
      401,
      'ERR_AUTH_INVALID',
    )
  })

  it('refuses a token that is not yet valid', async () => {
    const res = await call('/viewer', bearer(await mint({ roles: ['viewer'], nbf: 300 })))
    expect((await expectProblem(res, 401, 'ERR_AUTH_INVALID')).reason).toBe('not_yet_valid')
  })

  it('refuses a wrong issuer', async () => {
    const res = await call(
      '/viewer',
      bearer(await mint({ roles: ['viewer'], claims: { iss: 'someone-else' } })),
    )
    expect((await expectProblem(res, 401, 'ERR_AUTH_INVALID')).reason).toBe('issuer')
  })

  it('refuses a wrong audience', async () => {
    const res = await call(
      '/viewer',
      bearer(await mint({ roles: ['viewer'], claims: { aud: 'other-app' } })),
    )
    expect((await expectProblem(res, 401, 'ERR_AUTH_INVALID')).reason).toBe('audience')
  })

  it('refuses a token from an untrusted key that claims the trusted kid', async () => {
    const impostor = await freshKey('ES256', (await adminKey()).kid)
    const res = await call('/operator', bearer(await mint({ roles: ['operator'], key: impostor })))
    expect((await expectProblem(res, 401, 'ERR_AUTH_INVALID')).reason).toBe('signature')
  })

  it('refuses a token from an untrusted key with an unknown kid', async () => {
    const stranger = await freshKey('ES256', 'stranger-1')
    const res = await call('/operator', bearer(await mint({ roles: ['operator'], key: stranger })))
    expect((await expectProblem(res, 401, 'ERR_AUTH_INVALID')).reason).toBe('unknown_key')
  })

  it('refuses a token whose payload was altered after signing', async () => {
    const [h, , s] = (await mint({ roles: ['viewer'] })).split('.')
    const forged = {
      iss: bindings.ACCESS_ISSUER,
      aud: bindings.ACCESS_AUDIENCE,
      sub: 'x',
      roles: ['operator'],
      exp: 9e9,
    }
    const p = btoa(JSON.stringify(forged))
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
    await expectProblem(await call('/operator', bearer(`${h}.${p}.${s}`)), 401, 'ERR_AUTH_INVALID')
  })

  it('refuses collector tokens (their own typ) even from a trusted key', async () => {
    const res = await call(
      '/viewer',
      bearer(await mint({ roles: ['viewer'], header: { typ: 'aegis-receipt+jwt' } })),
    )
    expect((await expectProblem(res, 401, 'ERR_AUTH_INVALID')).reason).toBe('typ')
  })

  it('refuses a token that names no subject', async () => {
    const res = await call(
      '/viewer',
      bearer(await mint({ roles: ['viewer'], claims: { sub: '' } })),
    )
    await expectProblem(res, 401, 'ERR_AUTH_INVALID')
  })

  it('takes common_name as the subject of a Cloudflare Access service token', async () => {
    const token = await mint({ roles: ['viewer'], claims: { sub: '', common_name: 'svc.access' } })
    const res = await call('/viewer', bearer(token))
    expect(res.status).toBe(200)
    expect(((await res.json()) as { sub: string }).sub).toBe('svc.access')
  })
})

describe('requireRole: roles', () => {
  it('403 ERR_AUTH_FORBIDDEN for a valid token without the role', async () => {
    const res = await call('/operator', bearer(await mint({ roles: ['viewer'] })))
    const body = await expectProblem(res, 403, 'ERR_AUTH_FORBIDDEN')
    expect(body.required).toEqual(['operator'])
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="aegis-edge", error="insufficient_scope"',
    )
  })

  it('403 for a valid token with no roles claim, or only unknown roles', async () => {
    await expectProblem(await call('/viewer', bearer(await mint())), 403, 'ERR_AUTH_FORBIDDEN')
    await expectProblem(
      await call('/viewer', bearer(await mint({ roles: ['admin', 'root'] }))),
      403,
      'ERR_AUTH_FORBIDDEN',
    )
    await expectProblem(
      await call('/viewer', bearer(await mint({ roles: 7 }))),
      403,
      'ERR_AUTH_FORBIDDEN',
    )
  })

  const grid: [Role, Record<string, number>][] = [
    [
      'operator',
      { '/viewer': 200, '/auditor': 200, '/operator': 200, '/auditor-or-operator': 200 },
    ],
    ['auditor', { '/viewer': 200, '/auditor': 200, '/operator': 403, '/auditor-or-operator': 200 }],
    ['viewer', { '/viewer': 200, '/auditor': 403, '/operator': 403, '/auditor-or-operator': 403 }],
  ]
  it.each(grid)('hierarchy: %s', async (role, expected) => {
    const token = await mint({ roles: [role] })
    for (const [path, status] of Object.entries(expected)) {
      const res = await call(path, bearer(token))
      expect([path, res.status]).toEqual([path, status])
    }
  })

  it('reports only known roles, highest last, without duplicates', async () => {
    const res = await call(
      '/viewer',
      bearer(await mint({ roles: ['operator', 'x', 'viewer', 'operator'] })),
    )
    expect(((await res.json()) as { roles: string[] }).roles).toEqual(['viewer', 'operator'])
  })

  it('accepts a space-separated roles string', async () => {
    const res = await call('/auditor', bearer(await mint({ roles: 'viewer auditor' })))
    expect(res.status).toBe(200)
  })

  it('reads a configured claim: a dotted path (Access custom claims) or a namespaced name', async () => {
    const nested = await mint({ claims: { custom: { aegis_roles: ['auditor'] } } })
    expect(
      (
        await call('/auditor', bearer(nested), {
          ...devEnv,
          ACCESS_ROLES_CLAIM: 'custom.aegis_roles',
        })
      ).status,
    ).toBe(200)
    expect((await call('/auditor', bearer(nested))).status).toBe(403)
    const ns = await mint({ claims: { 'https://aegis.example/roles': ['operator'] } })
    expect(
      (
        await call('/operator', bearer(ns), {
          ...devEnv,
          ACCESS_ROLES_CLAIM: 'https://aegis.example/roles',
        })
      ).status,
    ).toBe(200)
  })

  it('rejects a guard that accepts no role, or an unknown one, when it is built', () => {
    expect(() => requireRole()).toThrowError(AegisError)
    expect(() => requireRole('admin' as Role)).toThrowError(AegisError)
  })
})

describe('requireRole: where the token comes from', () => {
  it('accepts the Cf-Access-Jwt-Assertion header', async () => {
    const res = await call('/viewer', {
      'cf-access-jwt-assertion': await mint({ roles: ['viewer'] }),
    })
    expect(res.status).toBe(200)
  })

  it('prefers the Access header over Authorization', async () => {
    const good = await mint({ roles: ['operator'] })
    const viewer = await mint({ roles: ['viewer'] })
    expect(
      (await call('/operator', { 'cf-access-jwt-assertion': good, ...bearer('junk') })).status,
    ).toBe(200)
    const res = await call('/operator', { 'cf-access-jwt-assertion': viewer, ...bearer(good) })
    await expectProblem(res, 403, 'ERR_AUTH_FORBIDDEN')
  })
})

describe('requireRole: trust configuration', () => {
  it('denies by default: no key source configured', async () => {
    const token = await mint({ roles: ['operator'] })
    const env = {
      ENVIRONMENT: 'test',
      ACCESS_ISSUER: devEnv.ACCESS_ISSUER,
      ACCESS_AUDIENCE: devEnv.ACCESS_AUDIENCE,
    }
    const body = await expectProblem(
      await call('/viewer', bearer(token), env),
      401,
      'ERR_AUTH_INVALID',
    )
    expect(body.reason).toBe('unconfigured')
    await expectProblem(
      await call('/viewer', bearer(token), { ...env, ACCESS_JWKS: '{"keys":[]}' }),
      401,
      'ERR_AUTH_INVALID',
    )
    await expectProblem(await call('/viewer', bearer(token), {}), 401, 'ERR_AUTH_INVALID')
  })

  it('denies by default: no issuer or no audience configured', async () => {
    const token = await mint({ roles: ['operator'] })
    await expectProblem(
      await call('/viewer', bearer(token), { ...devEnv, ACCESS_ISSUER: '' }),
      401,
      'ERR_AUTH_INVALID',
    )
    await expectProblem(
      await call('/viewer', bearer(token), { ...devEnv, ACCESS_AUDIENCE: undefined }),
      401,
      'ERR_AUTH_INVALID',
    )
  })

  it('still answers 401 ERR_AUTH_MISSING to a request without a token when unconfigured', async () => {
    await expectProblem(await call('/viewer', {}, {}), 401, 'ERR_AUTH_MISSING')
  })

  it('accepts any of a comma-separated list of audiences', async () => {
    const token = await mint({ roles: ['viewer'], claims: { aud: 'ops-app' } })
    const env = { ...devEnv, ACCESS_AUDIENCE: `${devEnv.ACCESS_AUDIENCE}, ops-app` }
    expect((await call('/viewer', bearer(token), env)).status).toBe(200)
  })

  it('500 ERR_INTERNAL for a broken ACCESS_JWKS, naming no key material', async () => {
    const token = await mint({ roles: ['viewer'] })
    await expectProblem(
      await call('/viewer', bearer(token), { ...devEnv, ACCESS_JWKS: '{not json' }),
      500,
      'ERR_INTERNAL',
    )
    await expectProblem(
      await call('/viewer', bearer(token), { ...devEnv, ACCESS_JWKS: '{"kty":"EC"}' }),
      500,
      'ERR_INTERNAL',
    )
    const priv = (JSON.parse(bindings.DEV_ADMIN_JWKS) as { keys: { d: string }[] }).keys
    const res = await call('/viewer', bearer(token), {
      ...devEnv,
      ACCESS_JWKS: JSON.stringify({ keys: priv }),
    })
    await expectProblem(res.clone(), 500, 'ERR_INTERNAL')
    expect(await res.text()).not.toContain(priv[0]!.d)
  })

  it('verifies RS256 and EdDSA tokens from keys in the set', async () => {
    const rsa = await freshKey('RS256', 'rsa-1')
    const ed = await freshKey('EdDSA', 'ed-1')
    const env = { ...devEnv, ACCESS_JWKS: JSON.stringify({ keys: [rsa.jwk, ed.jwk] }) }
    expect(
      (await call('/viewer', bearer(await mint({ roles: ['viewer'], key: rsa })), env)).status,
    ).toBe(200)
    expect(
      (await call('/viewer', bearer(await mint({ roles: ['viewer'], key: ed })), env)).status,
    ).toBe(200)
  })

  it('refuses algorithms outside the allow-list even from a trusted key (ES384)', async () => {
    const p384 = await freshKey('ES384' as 'ES256', 'p384-1')
    const env = { ...devEnv, ACCESS_JWKS: JSON.stringify({ keys: [p384.jwk] }) }
    const res = await call(
      '/viewer',
      bearer(await mint({ roles: ['viewer'], key: { ...p384, alg: 'ES384' } })),
      env,
    )
    expect((await expectProblem(res, 401, 'ERR_AUTH_INVALID')).reason).toBe('algorithm')
  })

  it('tries every key when a token has no kid and several keys fit', async () => {
    const a = await freshKey('ES256', undefined)
    const b = await freshKey('ES256', undefined)
    const env = { ...devEnv, ACCESS_JWKS: JSON.stringify({ keys: [a.jwk, b.jwk] }) }
    expect(
      (await call('/viewer', bearer(await mint({ roles: ['viewer'], key: b })), env)).status,
    ).toBe(200)
    const c = await freshKey('ES256', undefined)
    const res = await call('/viewer', bearer(await mint({ roles: ['viewer'], key: c })), env)
    expect((await expectProblem(res, 401, 'ERR_AUTH_INVALID')).reason).toBe('signature')
  })
})

describe('requireRole: remote key set (ACCESS_JWKS_URL), fetch stubbed', () => {
  let n = 0
  const certsUrl = () => `https://team${++n}.cloudflareaccess.com/cdn-cgi/access/certs`

  function stubFetch(body: unknown, status = 200) {
    const f = vi.fn(async (_input: RequestInfo | URL) => Response.json(body, { status }))
    vi.stubGlobal('fetch', f)
    return f
  }

  it('verifies an RS256 token against the fetched set, fetching once', async () => {
    const rsa = await freshKey('RS256', 'access-key-1')
    const f = stubFetch({ keys: [rsa.jwk] })
    const url = certsUrl()
    const env = {
      ACCESS_JWKS_URL: url,
      ACCESS_ISSUER: 'https://team.cloudflareaccess.com',
      ACCESS_AUDIENCE: 'aud-tag',
    }
    const token = await mint({
      roles: ['auditor'],
      key: rsa,
      claims: { iss: env.ACCESS_ISSUER, aud: 'aud-tag' },
    })
    expect((await call('/auditor', bearer(token), env)).status).toBe(200)
    expect((await call('/auditor', bearer(token), env)).status).toBe(200)
    expect(f).toHaveBeenCalledTimes(1)
    expect(String(f.mock.calls[0]![0])).toBe(url)
  })

  it('falls back from the local set to the remote one', async () => {
    const rsa = await freshKey('RS256', 'access-key-2')
    stubFetch({ keys: [rsa.jwk] })
    const env = { ...devEnv, ACCESS_JWKS_URL: certsUrl() }
    expect(
      (await call('/viewer', bearer(await mint({ roles: ['viewer'], key: rsa })), env)).status,
    ).toBe(200)
    expect((await call('/viewer', bearer(await mint({ roles: ['viewer'] })), env)).status).toBe(200)
  })

  it('500 ERR_INTERNAL when the remote set cannot be fetched', async () => {
    stubFetch({ error: 'nope' }, 503)
    const env = { ...devEnv, ACCESS_JWKS: undefined, ACCESS_JWKS_URL: certsUrl() }
    const rsa = await freshKey('RS256', 'access-key-3')
    await expectProblem(
      await call('/viewer', bearer(await mint({ roles: ['viewer'], key: rsa })), env),
      500,
      'ERR_INTERNAL',
    )
  })

  it('refuses a non-https ACCESS_JWKS_URL', async () => {
    const env = { ...devEnv, ACCESS_JWKS: undefined, ACCESS_JWKS_URL: 'http://team.example/certs' }
    await expectProblem(
      await call('/viewer', bearer(await mint({ roles: ['viewer'] })), env),
      500,
      'ERR_INTERNAL',
    )
  })
})
