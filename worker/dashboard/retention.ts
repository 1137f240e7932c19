/**
 * Retention (cron): rollups older than ROLLUP_RETENTION_DAYS (default 400) are deleted from D1, as
 * are audit decisions older than DECISION_RETENTION_DAYS (default 400) and the aggregated
 * anonymous refusals of the same age; metric names last seen before the rollups kept, and per-pack
 * sync statistics older than a day (/metrics reads the last minutes). Counters (store/totals.ts)
 * are all-time and stay. Raw metric points are not in D1 (migration 0005): they live in the
 * evidence packs in R2. Evidence bundles in R2 and the transparency log are kept:
 * provenance must stay verifiable (an R2 lifecycle rule may expire bundles; docs/deploy.md).
 */
import { deleteDecisionsBefore } from '../store/decisions.ts'
import { deleteRefusalsBefore } from '../store/refusals.ts'
import { deleteRollupsBefore } from '../store/rollups.ts'
import { deleteMetricNamesBefore, deleteSyncPacksBefore } from '../store/totals.ts'

export interface RetentionEnv {
  ROLLUP_RETENTION_DAYS?: string
  DECISION_RETENTION_DAYS?: string
}

function days(v: string | undefined, fallback: number): number {
  const n = Number(v)
  return Number.isFinite(n) && n >= 1 ? n : fallback
}

export async function applyRetention(
  env: Env & RetentionEnv,
  now = Date.now(),
): Promise<{ rollups: number; decisions: number; refusals: number }> {
  const day = 86_400_000
  const rollupsBefore = now - days(env.ROLLUP_RETENTION_DAYS, 400) * day
  const decisionsBefore = now - days(env.DECISION_RETENTION_DAYS, 400) * day
  const [r, d, a] = await env.DB.batch([
    deleteRollupsBefore(env.DB, Math.floor(rollupsBefore / 60_000)),
    deleteDecisionsBefore(env.DB, decisionsBefore),
    deleteRefusalsBefore(env.DB, Math.floor(decisionsBefore / 60_000)),
    // A name last seen before the rollups kept has no data left to chart.
    deleteMetricNamesBefore(env.DB, Math.floor(rollupsBefore / 60_000)),
    // Per-pack sync statistics serve /metrics' last minutes: a day is plenty.
    deleteSyncPacksBefore(env.DB, now - day),
  ])
  return { rollups: r!.meta.changes, decisions: d!.meta.changes, refusals: a!.meta.changes }
}
