/**
 * The audit trail: every decision (accept and each rejection) with its reason code, written off
 * the response path. Decisions travel on the sync queue with the accepted data, so a transient D1
 * failure is retried by the queue instead of losing the record. Anonymous refusals (record-refusal.ts)
 * travel the same way but are counted per minute, kind, code, agent and client in `refusals`.
 */
import { insertDecision, type DecisionRow } from '../store/decisions.ts'
import { countRefusal } from '../store/refusals.ts'
import { countDecision } from '../store/totals.ts'
import { centralDecision } from '../residency/central-decision.ts'

export interface Decision extends DecisionRow {
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

/**
 * Store queued decisions: anonymous refusals counted, the others one row each and counted in
 * decision_totals (GET /metrics, store/totals.ts).
 */
export async function insertDecisions(db: D1Database, all: Decision[]): Promise<void> {
  if (all.length === 0) return
  await db.batch(
    all.flatMap(({ aggregate, ...d }) =>
      aggregate
        ? [
            countRefusal(db, {
              at: d.at,
              kind: d.kind,
              code: d.code ?? 'ERR_INTERNAL',
              agentId: d.agentId ?? '',
              client: aggregate.client,
            }),
          ]
        : [insertDecision(db, d), countDecision(db, d)],
    ),
  )
}
