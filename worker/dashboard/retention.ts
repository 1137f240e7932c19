/**
 * Retention (cron): metric points older than METRIC_RETENTION_DAYS (default 30) and rollups
 * older than ROLLUP_RETENTION_DAYS (default 400) are deleted from D1, as are audit decisions older
 * than DECISION_RETENTION_DAYS (default 400), aggregated anonymous refusals too. Evidence bundles in R2 and the transparency log are
 * kept: provenance must stay verifiable (an R2 lifecycle rule may expire bundles; docs/deploy.md).
 */
export interface RetentionEnv {
  METRIC_RETENTION_DAYS?: string
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
): Promise<{ points: number; rollups: number; decisions: number; refusals: number }> {
  const day = 86_400_000
  const pointsBefore = now - days(env.METRIC_RETENTION_DAYS, 30) * day
  const rollupsBefore = now - days(env.ROLLUP_RETENTION_DAYS, 400) * day
  const decisionsBefore = now - days(env.DECISION_RETENTION_DAYS, 400) * day
  const [p, r, d, a] = await env.DB.batch([
    env.DB.prepare('DELETE FROM metric_points WHERE at < ?').bind(pointsBefore),
    env.DB.prepare('DELETE FROM rollups WHERE minute < ?').bind(Math.floor(rollupsBefore / 60_000)),
    env.DB.prepare('DELETE FROM decisions WHERE at < ?').bind(decisionsBefore),
    env.DB.prepare('DELETE FROM refusals WHERE minute < ?').bind(Math.floor(decisionsBefore / 60_000)),
  ])
  return { points: p!.meta.changes, rollups: r!.meta.changes, decisions: d!.meta.changes, refusals: a!.meta.changes }
}
