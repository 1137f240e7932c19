/**
 * What the sender does with the spool head after a failed attempt, by error code (the table in
 * docs/agent.md "Error handling"):
 *  - retry:   transient; keep the entry, back off (collector unreachable, 5xx, 429, local TPM or
 *             disk trouble, an unsafe TPM clock that clears once the TPM saves its clock).
 *             A non-problem answer that is neither 5xx nor 429 (a proxy's 404) is held instead.
 *  - renonce: the nonce was expired, unknown or already spent; ask for a new one and try again
 *             at once (the payload is unchanged, so a retry of an accepted batch is answered as
 *             a duplicate, never stored twice).
 *  - drop:    the collector refused this batch for good (geofence, PCR policy, stale batch, seq
 *             below the collector's last, malformed); remove it and record the code.
 *  - hold:    the agent as a whole is refused (revoked, unknown, AK no longer enrolled); keep
 *             every entry and retry at the longest backoff until an operator acts.
 * Codes the collector sends that are not listed follow their HTTP status: 5xx/429 retry, other
 * 4xx drop. Local errors (no httpStatus) that are not listed retry.
 */
import { AegisError, type ErrorCode } from '../../attest/errors.ts'

export type Action = 'retry' | 'renonce' | 'drop' | 'hold'

const ACTIONS: Partial<Record<ErrorCode, Action>> = {
  ERR_INTERNAL: 'retry',
  ERR_TRUST_ROOTS: 'retry',
  ERR_POLICY_UNCONFIGURED: 'retry',
  ERR_AGENT_STALE: 'retry',
  ERR_QUOTE_CLOCK_UNSAFE: 'retry',
  ERR_TPM_TRANSPORT: 'retry',
  ERR_TPM_RESPONSE: 'retry',
  ERR_IO: 'retry',
  // The agent's state is moving to another jurisdiction (docs/sovereignty.md): resend after it.
  ERR_RESIDENCY_MOVING: 'retry',

  ERR_NONCE_EXPIRED: 'renonce',
  ERR_NONCE_UNKNOWN: 'renonce',
  ERR_NONCE_REPLAYED: 'renonce',
  // The collector does not know this boot's event log: the retry carries it (agent/eventlog).
  ERR_EVENTLOG_REQUIRED: 'renonce',

  ERR_AGENT_REVOKED: 'hold',
  ERR_AGENT_UNKNOWN: 'hold',
  ERR_QUOTE_SIGNER: 'hold',

  ERR_GEO_OUTSIDE: 'drop',
  ERR_GEO_ACCURACY: 'drop',
  ERR_GEO_STALE_FIX: 'drop',
  ERR_GEO_SENSOR: 'drop',
  ERR_GEO_IMPOSSIBLE_TRAVEL: 'drop',
  ERR_GEO_COUNTRY: 'drop',
  ERR_GEO_NO_ZONE: 'drop',
  ERR_PCR_POLICY: 'drop',
  ERR_EVENTLOG_POLICY: 'drop',
  ERR_EVENTLOG_REPLAY: 'drop',
  ERR_PCR_SELECTION: 'drop',
  ERR_PCR_MISSING: 'drop',
  ERR_PCR_EXTRA: 'drop',
  ERR_PCR_DIGEST: 'drop',
  ERR_BATCH_STALE: 'drop',
  ERR_SEQ_REPLAYED: 'drop',
  ERR_CLOCK_ROLLBACK: 'drop',
  ERR_PAYLOAD_MISMATCH: 'drop',
  ERR_INPUT_MALFORMED: 'drop',
  ERR_INPUT_ENCODING: 'drop',
  ERR_INPUT_TOO_LARGE: 'drop',
  ERR_QUOTE_NONCE: 'drop',
  ERR_QUOTE_SIGNATURE: 'drop',
}

export interface Classified {
  action: Action
  code: ErrorCode
  /** The HTTP status when the collector answered (undefined for local or network failures). */
  httpStatus: number | undefined
}

export function classifyFailure(e: unknown): Classified {
  if (!(e instanceof AegisError))
    return { action: 'retry', code: 'ERR_INTERNAL', httpStatus: undefined }
  const httpStatus = typeof e.detail?.httpStatus === 'number' ? e.detail.httpStatus : undefined
  // The same code can be ours or the collector's (ERR_INTERNAL, ERR_TPM_*): only an answer from
  // the collector is a verdict on the batch.
  if (e.code === 'ERR_COLLECTOR') {
    // Unreachable, 5xx or 429 is weather; any other answer that is not ours (a proxy's 404, a
    // captive portal) is a misconfiguration: keep everything and retry slowly.
    return { action: e.detail?.transient === false ? 'hold' : 'retry', code: e.code, httpStatus }
  }
  const listed = ACTIONS[e.code]
  if (listed && (listed !== 'drop' || httpStatus !== undefined))
    return { action: listed, code: e.code, httpStatus }
  if (httpStatus === undefined) return { action: 'retry', code: e.code, httpStatus }
  const action: Action = httpStatus >= 500 || httpStatus === 429 ? 'retry' : 'drop'
  return { action, code: e.code, httpStatus }
}
