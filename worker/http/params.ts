/**
 * Identifiers and query-string parameters, each parsed one way everywhere (routes, queue messages):
 *  - agentId and batchId: lowercase hex SHA-256 (docs/protocol.md "Identities");
 *  - a time (`from`, `to`): epoch milliseconds (digits) or an ISO 8601 UTC date or date-time with
 *    its zone (`2026-12-04`, `2026-12-04T21:00:00.000Z`, `...+01:00`); a time without a zone is
 *    ambiguous and refused. Absent means the route's default. Anything else is ERR_INPUT_MALFORMED.
 */
import { AegisError } from '../../attest/errors.ts'

/** agentId: hex SHA-256 of the EK's TPMT_PUBLIC. */
export const AGENT_ID = /^[0-9a-f]{64}$/
/** batchId: hex SHA-256 of the payload bytes. */
export const BATCH_ID = /^[0-9a-f]{64}$/

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/
/** ECMAScript's time value range: ±8.64e15 ms. */
const MAX_MS = 8.64e15

export function queryTime(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback
  const t = /^\d{1,16}$/.test(v) ? Number(v) : ISO_TIME.test(v) ? Date.parse(v) : NaN
  if (!Number.isFinite(t) || t > MAX_MS)
    throw new AegisError('ERR_INPUT_MALFORMED', `${name} must be an ISO 8601 time or epoch ms`, {
      detail: { parameter: name },
    })
  return t
}

/** `limit`: a page size, 100 unless given, at most 1000 (a non-number means the default). */
export function queryLimit(v: string | undefined): number {
  return Math.min(Number(v ?? 100) || 100, 1000)
}

/** `from`, `to` and `limit` of the audit listings: all of time and 100 rows unless given. */
export function auditRange(q: Record<string, string | undefined>): {
  from: number
  to: number
  limit: number
} {
  return {
    from: queryTime(q.from, 0, 'from'),
    to: queryTime(q.to, Number.MAX_SAFE_INTEGER, 'to'),
    limit: queryLimit(q.limit),
  }
}
