/**
 * GET /metrics (viewer role): Prometheus text exposition (format 0.0.4) of the collector's state
 * from D1: decisions by verdict and code, stored batches, sync lag over the last 5 minutes,
 * dead-lettered messages and agents by status. Counters are all-time totals kept as data is
 * stored (store/totals.ts), so a scrape reads a few rows however long the history (docs/scale.md).
 * And the two stores that fill up (docs/scale.md "Storage runway"): D1's size (its `size_after`,
 * which every D1 answer carries) and the current log shard's (one RPC), each with its limit, so an
 * alert can predict the day either reaches it; a log that cannot answer leaves only its gauges out.
 */
import { Hono } from 'hono'
import type { AppEnv } from '../app-env.ts'
import { requireRole } from '../auth/require-role.ts'
import { countAgentsByStatus } from '../store/agents.ts'
import { countDeadLetters } from '../store/dead-letters.ts'
import { readDecisionTotals, readTotals, recentSyncLag } from '../store/totals.ts'
import { unwrap } from '../ledger/rpc-result.ts'
import { shardLog } from '../log/log-stub.ts'
import { shardOf, shardPeriod } from '../log/shards.ts'
import type { ShardState } from '../log/types.ts'

/** D1's and a Durable Object's published storage limit (Workers Paid): 10 GB each. */
export const DEFAULT_STORAGE_LIMIT_BYTES = 10_000_000_000

/** Optional overrides (a Free plan's D1 holds 500 MB): positive integers, else the default. */
export interface StorageLimitEnv {
  D1_SIZE_LIMIT_BYTES?: string
  LOG_SHARD_SIZE_LIMIT_BYTES?: string
}

export function storageLimit(v: string | undefined): number {
  const n = Number(v)
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_STORAGE_LIMIT_BYTES
}

/** The current shard's state; null (logged) when it cannot be read or LOG_SHARD_PERIOD is bad. */
async function currentShard(env: Env): Promise<{ id: string; state: ShardState } | null> {
  try {
    const id = shardOf(Date.now(), shardPeriod(env))
    return { id, state: unwrap(await shardLog(env, id).shardState()) }
  } catch (e) {
    console.error('metrics: the current log shard could not be read', e)
    return null
  }
}

export const metricsRoutes = new Hono<AppEnv>()

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

metricsRoutes.get('/metrics', requireRole('viewer'), async (c) => {
  const since = Date.now() - 5 * 60_000
  const db = c.env.DB
  const [[decisions, batches, lag, dead, agents], shard] = await Promise.all([
    db.batch([
      readDecisionTotals(db),
      readTotals(db),
      recentSyncLag(db, since),
      countDeadLetters(db),
      countAgentsByStatus(db),
    ]),
    currentShard(c.env),
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
  const limits = c.env as StorageLimitEnv
  metric('aegis_d1_size_bytes', 'gauge', 'Size of the D1 database.', [
    [{}, agents!.meta.size_after ?? 0],
  ])
  metric('aegis_d1_size_limit_bytes', 'gauge', "D1's storage limit per database.", [
    [{}, storageLimit(limits.D1_SIZE_LIMIT_BYTES)],
  ])
  if (shard) {
    metric(
      'aegis_log_shard_size_bytes',
      'gauge',
      'Size of the current transparency-log shard (one Durable Object).',
      [[{ shard: shard.id }, shard.state.bytes]],
    )
    metric('aegis_log_shard_leaves', 'gauge', 'Leaves of the current transparency-log shard.', [
      [{ shard: shard.id }, shard.state.treeSize],
    ])
  }
  metric(
    'aegis_log_shard_size_limit_bytes',
    'gauge',
    "A Durable Object's storage limit: what one log shard may hold.",
    [[{}, storageLimit(limits.LOG_SHARD_SIZE_LIMIT_BYTES)]],
  )
  return c.body(out.join('\n') + '\n', 200, {
    'content-type': 'text/plain; version=0.0.4; charset=utf-8',
  })
})
