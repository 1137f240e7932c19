/**
 * The evidence bundle (format `aegis-evidence/1`): everything an auditor needs to re-verify one
 * accepted batch offline with only the manufacturer roots and the collector's JWKS. Stored in R2
 * as UTF-8 JSON; its SHA-256 over those exact bytes is the leaf data in the transparency log.
 * See docs/provenance.md for each field and the checks `aegis verify bundle` makes.
 */
export const BUNDLE_FORMAT = 'aegis-evidence/1'

export interface EvidenceBundle {
  format: typeof BUNDLE_FORMAT
  batchId: string
  agentId: string
  seq: number
  acceptedAt: string
  verdict: 'accept' | 'accept-audit'
  findings: string[]
  zone: string | null
  cfCountry: string | null
  policyVersion: number
  /** base64url of the exact payload bytes the quote binds. */
  payload: string
  /** base64url of the nonce the collector issued. */
  nonce: string
  quote: { attest: string; signature: string; pcrs: Record<string, Record<string, string>> }
  ak: { public: string; name: string }
  ek: {
    public: string
    cert: string | null
    certSha256: string | null
    /** base64url DER of the CA certificates that chained `cert` at enrollment, anchor last. */
    chain?: string[]
  }
  /** Collector-signed record of the credential activation that bound this AK to this EK. */
  binding: string
  /** Collector-signed receipt given to the agent at acceptance. */
  receipt: string
}

/** The claims of the AK binding statement (JWS typ `aegis-ak-binding+jwt`). */
export interface AkBindingClaims {
  agentId: string
  /** hex SHA-256 of the EK TPMT_PUBLIC (equals agentId, stated for clarity) */
  ekPublicSha256: string
  ekCertSha256: string | null
  akName: string
  enrollmentId: string
  /** seconds since the epoch */
  iat: number
}

export { AK_BINDING_TYP } from '../tokens/typ.ts'
