/**
 * The one place the collector signs: a compact JWS (RFC 7515 §7.1) over the UTF-8 JSON of
 * `payload`, ES256 with the first collector key, protected header {alg, typ, kid}. Every token
 * type sets its own `typ` (RFC 8725 §3.11) so no collector token can stand in for another.
 * Leaves out unprotected headers and detached payloads.
 */
import { CompactSign } from 'jose'
import { collectorKeys, type CollectorKeyEnv } from './collector-keys.ts'

export async function signCompact(
  env: CollectorKeyEnv,
  typ: string,
  payload: object,
): Promise<string> {
  const { signingKey, signingKid } = await collectorKeys(env)
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'ES256', typ, kid: signingKid })
    .sign(signingKey)
}
