/**
 * D1 `decisions` (migrations/0001_init.sql; 0007 dropped an index no query used, 0008 the
 * AUTOINCREMENT and the unique index on accepted batch ids): the audit trail, one row per decision
 * of an enrolled agent (anonymous refusals are counted in `refusals`). Inserted by the sync
 * consumer: recorded decisions (audit/record-decision.ts) and the accept decision stored with its
 * batch (sync/write-rows.ts), the latter only while the batch row does not exist yet, so a
 * redelivered accept is a no-op.
 */
import type { ErrorCode } from '../../attest/errors.ts'

export interface DecisionRow {
  at: number
  kind: 'enroll' | 'activate' | 'batch' | 'nonce'
  agentId: string | null
  batchId: string | null
  verdict: 'accept' | 'reject' | 'accept-audit'
  code: ErrorCode | null
  zone: string | null
  cfCountry: string | null
  verifyMs: number | null
  detail: Record<string, unknown> | null
}

const COLUMNS = 'at, kind, agent_id, batch_id, verdict, code, zone, cf_country, verify_ms, detail'

export function insertDecision(db: D1Database, d: DecisionRow): D1PreparedStatement {
  return bindDecision(
    db.prepare(
      `INSERT INTO decisions (${COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`,
    ),
    d,
  )
}

// One decision per element of ?1 (a JSON array of DecisionRow, detail as JSON text), each only
// while its batch's row does not exist yet.
const INSERT_ACCEPT_DECISIONS = `
  INSERT INTO decisions (${COLUMNS})
    SELECT value ->> '$.at', value ->> '$.kind', value ->> '$.agentId', value ->> '$.batchId',
      value ->> '$.verdict', value ->> '$.code', value ->> '$.zone', value ->> '$.cfCountry',
      value ->> '$.verifyMs', value ->> '$.detail'
      FROM json_each(?1)
     WHERE NOT EXISTS (SELECT 1 FROM batches WHERE batch_id = value ->> '$.batchId')`

/**
 * A pack's accept decisions in one statement, each inserted only while its batch's row does not
 * exist yet: run before insertBatches in the same D1 batch (a transaction), a replayed store adds
 * no second row. (An index enforcing it would cost a billed row on every batch: migration 0008.)
 */
export function insertAcceptDecisions(
  db: D1Database,
  rows: (DecisionRow & { batchId: string })[],
): D1PreparedStatement {
  return db
    .prepare(INSERT_ACCEPT_DECISIONS)
    .bind(
      JSON.stringify(
        rows.map((d) => ({ ...d, detail: d.detail ? JSON.stringify(d.detail) : null })),
      ),
    )
}

function bindDecision(stmt: D1PreparedStatement, d: DecisionRow): D1PreparedStatement {
  return stmt.bind(
    d.at,
    d.kind,
    d.agentId,
    d.batchId,
    d.verdict,
    d.code,
    d.zone,
    d.cfCountry,
    d.verifyMs,
    d.detail ? JSON.stringify(d.detail) : null,
  )
}

/** The time window [from, to] (ms) and page size of an audit listing. */
export interface ListRange {
  from: number
  to: number
  limit: number
}

/** A stored decision as GET /v1/decisions lists it (column names kept, detail parsed). */
export interface StoredDecision {
  id: number
  at: number
  kind: string
  agent_id: string | null
  batch_id: string | null
  verdict: string
  code: string | null
  zone: string | null
  cf_country: string | null
  verify_ms: number | null
  detail: unknown
}

export async function listDecisions(
  db: D1Database,
  q: {
    agentId: string | null
    code: string | null
    verdict: string | null
    /** a scoped caller's jurisdictions: other jurisdictions' agents are left out */
    scope?: readonly string[] | undefined
  } & ListRange,
): Promise<StoredDecision[]> {
  // The filter that narrows most goes in as a plain condition, so the index that serves it is
  // used (a `?1 IS NULL OR agent_id = ?1` pattern can use none): one agent's decisions walk
  // decisions_agent_at, rejections the rejections-only decisions_reject_at, the rest decisions_at.
  // Without it, an agent's listing would read every decision of the fleet in the time range.
  const narrow =
    q.agentId !== null ? 'agent_id = ?1' : q.verdict === 'reject' ? "verdict = 'reject'" : 'TRUE'
  const { results } = await db
    .prepare(
      `SELECT id, at, kind, agent_id, batch_id, verdict, code, zone, cf_country, verify_ms, detail
         FROM decisions WHERE ${narrow} AND (?1 IS NULL OR agent_id = ?1) AND (?2 IS NULL OR code = ?2)
          AND (?3 IS NULL OR verdict = ?3) AND at >= ?4 AND at <= ?5
          AND (?7 IS NULL OR agent_id IS NULL OR NOT EXISTS (
            SELECT 1 FROM agent_residency r WHERE r.agent_id = decisions.agent_id
              AND r.jurisdiction NOT IN (SELECT value FROM json_each(?7))))
        ORDER BY at DESC, id DESC LIMIT ?6`,
    )
    .bind(
      q.agentId,
      q.code,
      q.verdict,
      q.from,
      q.to,
      q.limit,
      q.scope ? JSON.stringify(q.scope) : null,
    )
    .all<StoredDecision & { detail: string | null }>()
  return results.map((r) => ({ ...r, detail: r.detail ? JSON.parse(r.detail) : null }))
}

/** Rejections by code in [from, to], optionally of one agent (GET /v1/fleet/rejections). */
export async function rejectionCounts(
  db: D1Database,
  q: { from: number; to: number; agentId: string | null },
): Promise<{ code: string | null; n: number }[]> {
  const { results } = await db
    .prepare(
      `SELECT code, COUNT(*) AS n FROM decisions
        WHERE verdict = 'reject' AND at >= ?1 AND at <= ?2 AND (?3 IS NULL OR agent_id = ?3)
        GROUP BY code ORDER BY n DESC, code`,
    )
    .bind(q.from, q.to, q.agentId)
    .all<{ code: string | null; n: number }>()
  return results
}

export function deleteDecisionsBefore(db: D1Database, at: number): D1PreparedStatement {
  return db.prepare('DELETE FROM decisions WHERE at < ?').bind(at)
}
