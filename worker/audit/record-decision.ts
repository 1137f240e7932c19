/**
 * The audit trail: every decision (accept and each rejection) with its reason code, written off
 * the response path. Decisions travel on the sync queue with the accepted data, so a transient D1
 * failure is retried by the queue instead of losing the record. Anonymous refusals (record-refusal.ts)
 * travel the same way but are counted per minute, kind, code, agent and client in `refusals`.
 */
import type { ErrorCode } from '../../attest/errors.ts'
import { centralDecision } from '../residency/central-decision.ts'

export interface Decision {
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
  /** Set on anonymous refusals: counted in `refusals` under this client address, not one row. */
  aggregate?: { client: string }
}

export function recordDecision(
  env: Env,
  ctx: { waitUntil(p: Promise<unknown>): void },
  d: Decision,
): void {
  ctx.waitUntil(
    // A restricted agent's decision leaves with its location coarsened (worker/residency).
    centralDecision(env, d)
      .then((decision) => env.SYNC_QUEUE.send({ type: 'decision', decision }))
      .catch((e: unknown) => {
        console.error('decision not queued', d.kind, d.code, e)
      }),
  )
}

export async function insertDecisions(db: D1Database, all: Decision[]): Promise<void> {
  const counted = all.filter((d) => d.aggregate)
  const ds = all.filter((d) => !d.aggregate)
  if (all.length === 0) return
  await db.batch([
    ...counted.map((d) =>
      db
        .prepare(
          `INSERT INTO refusals (minute, kind, code, agent_id, client, count, first_at, last_at)
           VALUES (?, ?, ?, ?, ?, 1, ?, ?)
           ON CONFLICT (minute, kind, code, agent_id, client) DO UPDATE SET count = count + 1,
             first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`,
        )
        .bind(
          Math.floor(d.at / 60_000),
          d.kind,
          d.code ?? 'ERR_INTERNAL',
          d.agentId ?? '',
          d.aggregate!.client,
          d.at,
          d.at,
        ),
    ),
    ...ds.map((d) =>
      db
        .prepare(
          `INSERT INTO decisions (at, kind, agent_id, batch_id, verdict, code, zone, cf_country, verify_ms, detail)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .bind(
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
        ),
    ),
  ])
}
