/**
 * GET /metrics (viewer role): Prometheus text exposition (format 0.0.4) of the collector's state
 * from D1: decisions by verdict and code, stored batches, sync lag over the last 5 minutes,
 * dead-lettered messages and agents by status. Counters are all-time totals kept as data is
 * stored (store/totals.ts), so a scrape reads a few rows however long the history (docs/scale.md).
 */
import { Hono } from 'hono'
import type { AppEnv } from '../app-env.ts'
import { requireRole } from '../auth/require-role.ts'
import { countAgentsByStatus } from '../store/agents.ts'
import { countDeadLetters } from '../store/dead-letters.ts'
import { readDecisionTotals, readTotals, recentSyncLag } from '../store/totals.ts'

export const metricsRoutes = new Hono<AppEnv>()

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

metricsRoutes.get('/metrics', requireRole('viewer'), async (c) => {
  const since = Date.now() - 5 * 60_000
  const db = c.env.DB
  const [decisions, batches, lag, dead, agents] = await db.batch([
    readDecisionTotals(db),
    readTotals(db),
    recentSyncLag(db, since),
    countDeadLetters(db),
    countAgentsByStatus(db),
  ])
  const out: string[] = []
  const metric = (
    name: string,
    type: string,
    help: string,
    samples: [Record<string, string>, number][],
  ) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    for (const [labels, v] of samples) {
      const l = Object.entries(labels)
        .map(([k, x]) => `${k}="${esc(x)}"`)
        .join(',')
      out.push(`${name}${l ? `{${l}}` : ''} ${v}`)
    }
  }
  metric(
    'aegis_decisions_total',
    'counter',
    'Decisions recorded in the audit trail.',
    (decisions!.results as { kind: string; verdict: string; code: string; n: number }[]).map(
      (r) => [{ kind: r.kind, verdict: r.verdict, code: r.code }, r.n],
    ),
  )
  const total = (name: string) =>
    (batches!.results as { name: string; n: number }[]).find((r) => r.name === name)?.n ?? 0
  const b = { n: total('batches_stored'), points: total('points_stored') }
  metric('aegis_batches_stored_total', 'counter', 'Accepted batches stored in D1 and R2.', [
    [{}, b.n],
  ])
  metric(
    'aegis_metric_points_stored_total',
    'counter',
    'Metric points of stored batches (raw points in the R2 evidence packs, folded into the D1 rollups).',
    [[{}, b.points]],
  )
  const l = lag!.results[0] as { n: number; avg: number; max: number }
  metric(
    'aegis_sync_lag_ms',
    'gauge',
    'Acceptance-to-storage lag of batches stored in the last 5 minutes.',
    [
      [{ stat: 'avg' }, l.avg],
      [{ stat: 'max' }, l.max],
    ],
  )
  metric('aegis_sync_recent_batches', 'gauge', 'Batches stored in the last 5 minutes.', [[{}, l.n]])
  metric('aegis_dead_letters_total', 'counter', 'Sync messages moved to the dead-letter queue.', [
    [{}, (dead!.results[0] as { n: number }).n],
  ])
  metric(
    'aegis_agents',
    'gauge',
    'Enrolled agents by status.',
    (agents!.results as { status: string; n: number }[]).map((r) => [{ status: r.status }, r.n]),
  )
  return c.body(out.join('\n') + '\n', 200, {
    'content-type': 'text/plain; version=0.0.4; charset=utf-8',
  })
})
