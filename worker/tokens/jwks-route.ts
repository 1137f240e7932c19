/**
 * `GET /.well-known/jwks.json`: the collector's public keys (RFC 7517 §5), every configured key in
 * order, public members only, so receipts, attestation tokens and tree heads verify with any JOSE
 * library. Cacheable for 5 minutes: short enough that a prepended key is seen well before the old
 * key's tokens lapse (rotation in docs/keys.md); verifiers re-fetch on an unknown `kid` anyway.
 * Leaves out the role-token trust keys: those are the worker's to trust, not to publish.
 */
import { Hono } from 'hono'
import { collectorKeys, type CollectorKeyEnv } from './collector-keys.ts'

export const jwksRoute = new Hono<{ Bindings: CollectorKeyEnv }>()

jwksRoute.get('/.well-known/jwks.json', async (c) => {
  const { publicKeys } = await collectorKeys(c.env ?? {})
  return c.body(JSON.stringify({ keys: publicKeys }), 200, {
    'content-type': 'application/jwk-set+json',
    'cache-control': 'public, max-age=300',
    'access-control-allow-origin': '*',
  })
})
