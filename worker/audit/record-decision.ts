/**
 * The audit trail: every decision (accept and each rejection) with its reason code, written off
 * the response path. Decisions travel on the sync queue with the accepted data, so a transient D1
 * failure is retried by the queue instead of losing the record.
 */
import type { ErrorCode } from '../../attest/errors.ts'

export interface Decision {
  at: number
  kind: 'enroll' | 'activate' | 'batch'
  agentId: string | null
  batchId: string | null
  verdict: 'accept' | 'reject' | 'accept-audit'
  code: ErrorCode | null
  zone: string | null
  cfCountry: string | null
  verifyMs: number | null
  detail: Record<string, unknown> | null
}

export function recordDecision(env: Env, ctx: { waitUntil(p: Promise<unknown>): void }, d: Decision): void {
  ctx.waitUntil(
    env.SYNC_QUEUE.send({ type: 'decision', decision: d }).catch((e: unknown) => {
      console.error('decision not queued', d.kind, d.code, e)
    }),
  )
}

export async function insertDecisions(db: D1Database, ds: Decision[]): Promise<void> {
  if (ds.length === 0) return
  await db.batch(
    ds.map((d) =>
      db
        .prepare(
          `INSERT INTO decisions (at, kind, agent_id, batch_id, verdict, code, zone, cf_country, verify_ms, detail)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .bind(d.at, d.kind, d.agentId, d.batchId, d.verdict, d.code, d.zone, d.cfCountry, d.verifyMs,
          d.detail ? JSON.stringify(d.detail) : null),
    ),
  )
}
