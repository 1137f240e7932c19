/**
 * `storage.rows_per_batch`: what storing one accepted batch costs, from the sync consumer's own
 * account of each queue batch it stored (one log line per queue batch, worker/sync/store-batches.ts):
 *   sync: stored B batches of A agents: P R2 put, L log append, D D1 batch, rows R, rows_written W,
 *         pack_bytes S, db_bytes Z in T ms
 * `rows` is the table rows the D1 batch inserted or updated (D1's `meta.changes` summed: the
 * accounting docs/scale.md uses; before the rows were cut it was about 18 per batch); `rows_written` is D1's own
 * `meta.rows_written` (what D1 bills: each index entry written counts as a row). `rows_per_batch`
 * is R per batch, `d1_rows_written_per_batch` W per batch. Also counts the rows the tables hold per stored batch
 * (`table_rows_per_batch`), and the metric points the rollups account for, so the bench can check
 * that every point of every stored batch was folded exactly once.
 * Leaves out reads (dashboards are not part of the load run).
 */
import type { Collector } from '../harness/collector.ts'
import { summarize } from '../harness/stats.ts'
import type { BenchEntry } from './run-ingest.ts'

const LINE =
  /sync: stored (\d+) batches of (\d+) agents: (\d+) R2 put, (\d+) log append, (\d+) D1 batch, rows (\d+), rows_written (\d+), pack_bytes (\d+), db_bytes (\d+) in (\d+) ms/g

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d

export interface ConsumerRun {
  batches: number
  agents: number
  r2Puts: number
  logAppends: number
  d1Batches: number
  rows: number
  rowsWritten: number
  packBytes: number
  dbBytes: number
  ms: number
}

export function parseConsumerRuns(logs: string): ConsumerRun[] {
  return [...logs.matchAll(LINE)].map((m) => {
    const [
      batches,
      agents,
      r2Puts,
      logAppends,
      d1Batches,
      rows,
      rowsWritten,
      packBytes,
      dbBytes,
      ms,
    ] = m.slice(1).map(Number)
    return {
      batches: batches!,
      agents: agents!,
      r2Puts: r2Puts!,
      logAppends: logAppends!,
      d1Batches: d1Batches!,
      rows: rows!,
      rowsWritten: rowsWritten!,
      packBytes: packBytes!,
      dbBytes: dbBytes!,
      ms: ms!,
    }
  })
}

/** Metric points folded into the rollups: one JSON entry [count, sum, min, max, unit] per metric. */
export async function countRolledUpPoints(c: Collector): Promise<number> {
  const [r] = await c.d1<{ n: number }>(
    'SELECT COALESCE(SUM(j.value ->> 0), 0) AS n FROM rollups, json_each(rollups.metrics) AS j',
  )
  return r?.n ?? 0
}

export async function storageEntry(c: Collector, stored: number): Promise<BenchEntry> {
  const runs = parseConsumerRuns(c.logs())
  const sum = (k: keyof ConsumerRun) => runs.reduce((s, r) => s + r[k], 0)
  const batches = sum('batches')
  const per = (k: keyof ConsumerRun) => (batches ? round(sum(k) / batches, 3) : null)
  const [t] = await c.d1<{ b: number; d: number; r: number }>(
    `SELECT (SELECT count(*) FROM batches) AS b,
            (SELECT count(*) FROM decisions WHERE kind = 'batch' AND verdict != 'reject') AS d,
            (SELECT count(*) FROM rollups) AS r`,
  )
  return {
    name: 'storage.rows_per_batch',
    kind: 'load',
    // Timings are per consumer invocation (one queue batch stored), not per accepted batch.
    ...summarize(runs.map((r) => r.ms)),
    rows_per_batch: per('rows'),
    rows_per_batch_by_run: (({ median_ms, p99_ms }) => ({
      median: median_ms,
      p99: p99_ms,
    }))(summarize(runs.map((r) => r.rows / r.batches))),
    d1_rows_written_per_batch: per('rowsWritten'),
    r2_bytes_per_batch: per('packBytes'),
    // Growth of the database file (D1 meta.size_after) from the first stored queue batch to the
    // last, per batch stored after the first: what D1's size limit is spent on.
    d1_bytes_per_batch:
      runs.length > 1
        ? Math.round((runs.at(-1)!.dbBytes - runs[0]!.dbBytes) / (batches - runs[0]!.batches))
        : null,
    r2_puts_per_batch: per('r2Puts'),
    log_appends_per_batch: per('logAppends'),
    d1_batches_per_batch: per('d1Batches'),
    batches_per_queue_batch: runs.length ? round(batches / runs.length, 1) : null,
    agents_per_queue_batch: runs.length ? round(sum('agents') / runs.length, 1) : null,
    consumer_runs: runs.length,
    batches_counted: batches,
    table_rows_per_batch: stored && t ? round((t.b + t.d + t.r) / stored, 3) : null,
    table_rows: t ?? null,
  }
}
