#!/usr/bin/env node
/**
 * `node scripts/collector-keys.mjs [KID]`: print a fresh COLLECTOR_SIGNING_JWKS for a deployment:
 * a JWK *set* holding one ES256 (P-256) private key, `{"keys":[{"kty":"EC","crv":"P-256","x",
 * "y","d","kid","alg":"ES256","use":"sig"}]}`, on stdout only (pipe it into
 * `wrangler secret put COLLECTOR_SIGNING_JWKS`, never into a file in the repo). KID defaults to
 * collector-YYYY-MM-DD. Rotation adds a key in front of the set (docs/keys.md).
 */
import { exportJWK, generateKeyPair } from 'jose'

const kid = process.argv[2] ?? `collector-${new Date().toISOString().slice(0, 10)}`
if (!/^[A-Za-z0-9._-]{1,64}$/.test(kid)) {
  process.stderr.write('collector-keys: KID must be 1-64 of A-Z a-z 0-9 . _ -\n')
  process.exit(2)
}
const { privateKey } = await generateKeyPair('ES256', { extractable: true })
const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' }
process.stdout.write(JSON.stringify({ keys: [jwk] }) + '\n')
