/**
 * `soak`: sustained load at a fixed rate (`--rate`, batches/s over all agents, meant as
 * about half the measured maximum) for `--duration` seconds against a collector whose sync
 * consumer fails on purpose at a low rate (`SYNC_FAULTS`, development only:
 * worker/sync/inject-fault.ts). What must hold: every accepted batch stored once (lost 0,
 * duplicated 0, every metric point folded into the rollups exactly once) and the workerd
 * process's resident memory flat (growth from the first sample after warm-up to the end).
 * The load itself is run-ingest.ts with pacing; this file samples memory and builds the entry.
 */
import { workerdRssBytes } from '../harness/process-rss.ts'
import type { BenchEntry } from './run-ingest.ts'

export const DEFAULT_FAULTS = 'r2:0.02,log:0.02,d1:0.02,ack:0.02'

export interface SoakOptions {
  /** Target batches per second over all agents. */
  rate: number
  /** SYNC_FAULTS for the collector. */
  faults: string
}

const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10

/** Samples workerd's RSS every `everyMs` until stopped; the samples are [msSinceStart, bytes]. */
export function sampleRss(processGroup: number, everyMs = 5000) {
  const t0 = Date.now()
  const samples: [number, number][] = []
  const take = () => {
    const b = workerdRssBytes(processGroup)
    if (b !== null) samples.push([Date.now() - t0, b])
  }
  take()
  const timer = setInterval(take, everyMs)
  return {
    stop(): [number, number][] {
      clearInterval(timer)
      take()
      return samples
    },
  }
}

export function soakEntry(
  o: SoakOptions,
  client: BenchEntry,
  lag: BenchEntry,
  rss: [number, number][],
  logs: string,
): BenchEntry {
  // Warm-up: the first tenth of the run (isolates, SQLite caches and JIT settle).
  const end = rss.at(-1)?.[0] ?? 0
  const base = rss.find(([t]) => t >= end / 10) ?? rss[0]
  const last = rss.at(-1)
  const growth = base && last ? Math.round(((last[1] - base[1]) / base[1]) * 1000) / 10 : null
  return {
    name: 'soak',
    kind: 'load',
    n: lag.n,
    median_ms: lag.median_ms,
    p99_ms: lag.p99_ms,
    sync_lag_ms: { median: lag.median_ms, p99: lag.p99_ms },
    client_ms: { median: client.median_ms, p99: client.p99_ms },
    rate_target_per_s: o.rate,
    throughput_per_s: client.throughput_per_s,
    duration_s: client.duration_s,
    faults: o.faults,
    faults_injected: logs.match(/injected fault: \w+/g)?.length ?? 0,
    consumer_retries: lag.consumer_retries,
    accepted: client.accepted,
    lost: client.lost,
    duplicated: client.duplicated,
    metric_points: client.metric_points,
    metric_points_expected: client.metric_points_expected,
    dead_letters: client.dead_letters,
    rss_mb: {
      after_warmup: base ? mb(base[1]) : null,
      end: last ? mb(last[1]) : null,
      max: rss.length ? mb(Math.max(...rss.map((x) => x[1]))) : null,
    },
    rss_growth_pct: growth,
    rss_samples: rss.length,
  }
}
