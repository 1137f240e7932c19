/**
 * Test helper: collector key sets generated here with jose (private JWKs with a kid), and the
 * JWKS route mounted on an app of its own. Not a test file itself.
 */
import { Hono } from 'hono'
import { createLocalJWKSet, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose'
import { problemResponse } from '../../../worker/http/problem.ts'
import type { CollectorKeyEnv } from '../../../worker/tokens/collector-keys.ts'
import { jwksRoute } from '../../../worker/tokens/jwks-route.ts'

export async function privateJwk(kid: string): Promise<JWK> {
  const kp = await generateKeyPair('ES256', { extractable: true })
  return { ...(await exportJWK(kp.privateKey)), kid, alg: 'ES256', use: 'sig' }
}

export function keyEnv(...keys: JWK[]): CollectorKeyEnv {
  return { COLLECTOR_SIGNING_JWKS: JSON.stringify({ keys }) }
}

export const app = new Hono<{ Bindings: CollectorKeyEnv }>()
app.route('/', jwksRoute)
app.onError((err, c) => problemResponse(c.req.url, err))

/** What a relying party does: fetch the published set and build a verifier key set from it. */
export async function publishedKeys(env: CollectorKeyEnv) {
  const res = await app.request('/.well-known/jwks.json', {}, env)
  if (res.status !== 200) throw new Error(`jwks.json answered ${res.status}`)
  const jwks = (await res.json()) as JSONWebKeySet
  return { jwks, keySet: createLocalJWKSet(jwks) }
}
