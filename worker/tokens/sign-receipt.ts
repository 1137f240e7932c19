/**
 * The receipt for an accepted batch: a compact JWS (ES256, `typ: aegis-receipt+jwt`, `kid`) by the
 * collector over exactly `{batchId, agentId, verdict, zone, iat}` (DESIGN "Batch ingest" step 5).
 * The payload is a JWT claims set (`iat` in seconds), so any JOSE library verifies it against
 * /.well-known/jwks.json. Leaves out `exp`: a receipt records a past decision and does not expire;
 * auditors check it against the key set in force (docs/keys.md).
 */
import { hexDigest, label, nowSeconds, integer } from './check-claims.ts'
import type { CollectorKeyEnv } from './collector-keys.ts'
import { signCompact } from './sign-compact.ts'

import { RECEIPT_TYP } from '../../attest/tokens/typ.ts'

export { RECEIPT_TYP }

export interface ReceiptClaims {
  /** hex SHA-256 of the payload bytes */
  batchId: string
  /** hex SHA-256 of the EK's TPMT_PUBLIC */
  agentId: string
  /** the decision, e.g. 'accepted' */
  verdict: string
  /** the geofence zone the fix fell in; null when the agent has no zone */
  zone: string | null
  /** seconds since the epoch; defaults to now */
  iat?: number
}

export async function signReceipt(env: CollectorKeyEnv, claims: ReceiptClaims): Promise<string> {
  const payload = {
    batchId: hexDigest(claims.batchId, 'batchId', 32),
    agentId: hexDigest(claims.agentId, 'agentId', 32),
    verdict: label(claims.verdict, 'verdict', 64),
    zone: claims.zone === null ? null : label(claims.zone, 'zone'),
    iat: claims.iat === undefined ? nowSeconds() : integer(claims.iat, 'iat', 0, 2 ** 40),
  }
  return signCompact(env, RECEIPT_TYP, payload)
}
