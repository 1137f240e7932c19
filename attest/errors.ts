/**
 * The closed set of error codes Aegis Edge uses, and the one error class that carries them.
 *
 * Every rejection anywhere (attest library, worker routes, CLI) is an `AegisError` with a stable
 * `code` and an HTTP `status`. Callers branch on `code`, never on message text. Third-party errors
 * (asn1js, noble, jose) are translated at the boundary with the original kept as `cause`.
 * The table in docs/errors.md lists every code; test/node/errors-doc.test.ts keeps the two in sync.
 */

export const ERROR_STATUS = {
  // Encoding / input shape
  ERR_INPUT_MALFORMED: 400,
  ERR_INPUT_ENCODING: 400,
  ERR_INPUT_TOO_LARGE: 413,
  ERR_INPUT_UNSUPPORTED_MEDIA: 415,
  // TPM structures
  ERR_TPM_MALFORMED: 400,
  ERR_TPM_TRAILING_BYTES: 400,
  ERR_TPM_UNSUPPORTED_ALG: 400,
  // Keys and signatures
  ERR_KEY_UNSUPPORTED: 400,
  ERR_KEY_INVALID: 400,
  ERR_SIG_MALFORMED: 400,
  ERR_SIG_SCHEME_MISMATCH: 400,
  ERR_SIG_HASH_NOT_ALLOWED: 400,
  ERR_SIG_INVALID: 400,
  // X.509 / EK certificates
  ERR_CERT_MALFORMED: 400,
  ERR_CERT_CHAIN: 403,
  ERR_CERT_SIGNATURE: 403,
  ERR_CERT_EXPIRED: 403,
  ERR_CERT_NOT_YET_VALID: 403,
  ERR_CERT_CA_CONSTRAINTS: 403,
  ERR_CERT_UNKNOWN_CRITICAL_EXTENSION: 403,
  ERR_CERT_POLICY: 403,
  ERR_CERT_NAME_CONSTRAINTS: 403,
  ERR_EK_CERT_UNAVAILABLE: 502,
  ERR_CERT_EK_MISMATCH: 403,
  ERR_TRUST_ROOTS: 503,
  ERR_POLICY_UNCONFIGURED: 503,
  ERR_CONFIG_CONFLICT: 409,
  // Quotes and certify
  ERR_ATTEST_MAGIC: 400,
  ERR_ATTEST_TYPE: 400,
  ERR_QUOTE_SIGNER: 403,
  ERR_QUOTE_NONCE: 403,
  ERR_QUOTE_SIGNATURE: 403,
  ERR_QUOTE_CLOCK_UNSAFE: 403,
  ERR_PCR_SELECTION: 403,
  ERR_PCR_MISSING: 403,
  ERR_PCR_EXTRA: 403,
  ERR_PCR_DIGEST: 403,
  ERR_PCR_POLICY: 403,
  ERR_CERTIFY_NAME: 403,
  ERR_CERTIFY_NONCE: 403,
  ERR_CERTIFY_SIGNATURE: 403,
  ERR_CERTIFY_SIGNER: 403,
  // Enrollment
  ERR_EK_ATTRIBUTES: 403,
  ERR_EK_NOT_ALLOWED: 403,
  ERR_AK_ATTRIBUTES: 403,
  ERR_AK_ALGORITHM: 403,
  ERR_ENROLL_NOT_FOUND: 404,
  ERR_ENROLL_EXPIRED: 410,
  ERR_ENROLL_USED: 409,
  ERR_ENROLL_SECRET: 403,
  ERR_CREDENTIAL: 500,
  // Agents, nonces, replay
  ERR_AGENT_UNKNOWN: 404,
  ERR_AGENT_REVOKED: 403,
  /** internal: the worker's cached agent record is older than the ledger's; it reloads and retries */
  ERR_AGENT_STALE: 409,
  ERR_NONCE_UNKNOWN: 403,
  ERR_NONCE_EXPIRED: 403,
  ERR_NONCE_REPLAYED: 409,
  ERR_SEQ_REPLAYED: 409,
  ERR_CLOCK_ROLLBACK: 403,
  ERR_PAYLOAD_MISMATCH: 400,
  ERR_BATCH_STALE: 403,
  // Geofence
  ERR_GEO_OUTSIDE: 403,
  ERR_GEO_ACCURACY: 403,
  ERR_GEO_STALE_FIX: 403,
  ERR_GEO_SENSOR: 403,
  ERR_GEO_IMPOSSIBLE_TRAVEL: 403,
  ERR_GEO_COUNTRY: 403,
  ERR_GEO_NO_ZONE: 403,
  ERR_GEO_INVALID_ZONE: 400,
  // Access control and tokens
  ERR_AUTH_MISSING: 401,
  ERR_AUTH_INVALID: 401,
  ERR_AUTH_FORBIDDEN: 403,
  // Provenance / log / bundles
  ERR_BUNDLE_MALFORMED: 400,
  ERR_BUNDLE_HASH: 403,
  ERR_BUNDLE_BINDING: 403,
  ERR_BUNDLE_PAYLOAD: 403,
  ERR_BUNDLE_RECEIPT: 403,
  ERR_LOG_PROOF: 403,
  ERR_LOG_STH: 403,
  ERR_LOG_CONFLICT: 409,
  ERR_LOG_SHARD_CLOSED: 409,
  ERR_NOT_FOUND: 404,
  ERR_RATE_LIMITED: 429,
  // Data residency (docs/sovereignty.md)
  ERR_RESIDENCY_MIXED: 409,
  ERR_RESIDENCY_MOVE_REQUIRED: 409,
  ERR_RESIDENCY_FORBIDDEN: 403,
  ERR_RESIDENCY_MOVING: 503,
  ERR_RESIDENCY_UNAVAILABLE: 500,
  // Measured boot: the UEFI event log (attest/eventlog)
  ERR_EVENTLOG_EMPTY: 400,
  ERR_EVENTLOG_TOO_LARGE: 413,
  ERR_EVENTLOG_TRUNCATED: 400,
  ERR_EVENTLOG_SPEC_ID: 400,
  ERR_EVENTLOG_DIGEST_ALGS: 400,
  ERR_EVENTLOG_PCR_INDEX: 400,
  ERR_EVENTLOG_NO_ACTION: 400,
  ERR_EVENTLOG_EVENT_DATA: 400,
  ERR_EVENTLOG_REPLAY: 403,
  ERR_EVENTLOG_POLICY: 403,
  ERR_EVENTLOG_REQUIRED: 403,
  // Agent-side (CLI, TPM client, spool)
  ERR_TPM_RESPONSE: 502,
  ERR_TPM_TRANSPORT: 503,
  ERR_CONFIG: 400,
  ERR_USAGE: 400,
  ERR_IO: 500,
  ERR_COLLECTOR: 502,
  // Last resort
  ERR_INTERNAL: 500,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS

export class AegisError extends Error {
  readonly code: ErrorCode
  readonly status: number
  /**
   * Structured, non-secret data safe to show a client (e.g. which PCR differed); over HTTP its
   * members are RFC 9457 extension members beside `code` (worker/http/problem.ts).
   */
  readonly detail: Record<string, unknown> | undefined
  /** Response headers that travel with the refusal over HTTP (WWW-Authenticate, Retry-After). */
  readonly headers: Record<string, string> | undefined

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      cause?: unknown
      detail?: Record<string, unknown>
      headers?: Record<string, string>
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AegisError'
    this.code = code
    this.status = ERROR_STATUS[code]
    this.detail = options.detail
    this.headers = options.headers
  }
}

export function isAegisError(e: unknown): e is AegisError {
  return e instanceof AegisError
}
