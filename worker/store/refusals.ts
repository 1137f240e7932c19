/**
 * D1 `refusals` (migrations/0003_refusals.sql): anonymous refusals counted per minute, route kind,
 * code, agent ('' when the agentId named no enrolled agent) and client address.
 */
import type { ListRange } from './decisions.ts'

export interface RefusalCount {
  at: number
  kind: string
  code: string
  agentId: string
  client: string
}

/** Add one refusal to the row of its minute (first and last time widened). */
export function countRefusal(db: D1Database, r: RefusalCount): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO refusals (minute, kind, code, agent_id, client, count, first_at, last_at)
       VALUES (?, ?, ?, ?, ?, 1, ?, ?)
       ON CONFLICT (minute, kind, code, agent_id, client) DO UPDATE SET count = count + 1,
         first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`,
    )
    .bind(Math.floor(r.at / 60_000), r.kind, r.code, r.agentId, r.client, r.at, r.at)
}

export interface RefusalRow {
  minute: number
  kind: string
  code: string
  agentId: string
  client: string
  count: number
  firstAt: number
  lastAt: number
}

interface Raw {
  minute: number
  kind: string
  code: string
  agent_id: string
  client: string
  count: number
  first_at: number
  last_at: number
}

/** Rows overlapping [from, to], newest minute first, then by count. */
export async function listRefusals(
  db: D1Database,
  q: { code: string | null; client: string | null; agentId: string | null } & ListRange,
): Promise<RefusalRow[]> {
  const { results } = await db
    .prepare(
      `SELECT minute, kind, code, agent_id, client, count, first_at, last_at FROM refusals
        WHERE (?1 IS NULL OR code = ?1) AND (?2 IS NULL OR client = ?2)
          AND (?3 IS NULL OR agent_id = ?3) AND last_at >= ?4 AND first_at <= ?5
        ORDER BY minute DESC, count DESC LIMIT ?6`,
    )
    .bind(q.code, q.client, q.agentId, q.from, q.to, q.limit)
    .all<Raw>()
  return results.map((r) => ({
    minute: r.minute,
    kind: r.kind,
    code: r.code,
    agentId: r.agent_id,
    client: r.client,
    count: r.count,
    firstAt: r.first_at,
    lastAt: r.last_at,
  }))
}

export function deleteRefusalsBefore(db: D1Database, minute: number): D1PreparedStatement {
  return db.prepare('DELETE FROM refusals WHERE minute < ?').bind(minute)
}
