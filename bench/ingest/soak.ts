/**
 * `soak`: sustained load at a fixed rate (`--rate`, batches/s over all agents, meant as
 * about half the measured maximum) for `--duration` seconds against a collector whose sync
 * consumer fails on purpose at a low rate (`SYNC_FAULTS`, development only:
 * worker/sync/inject-fault.ts). What must hold: every accepted batch stored once (lost 0,
 * duplicated 0, every metric point folded into the rollups exactly once) and the workerd
 * process's resident memory flat (growth from the first sample after warm-up to the end).
 * The load itself is run-ingest.ts with pacing; this file samples memory and builds the entry.
 * `soak.healthz` is the control: the same collector settings, rate and duration with `GET /healthz`
 * instead of batches, so a growth both show is the local runtime's, not the ingest path's.
 */
import { startCollector } from '../harness/collector.ts'
import { workerdRssByRole } from '../harness/process-rss.ts'
import type { BenchEntry } from './run-ingest.ts'

export const DEFAULT_FAULTS = 'r2:0.02,log:0.02,d1:0.02,ack:0.02'

export interface SoakOptions {
  /** Target batches per second over all agents. */
  rate: number
  /** SYNC_FAULTS for the collector. */
  faults: string
}

const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10

/** One memory sample: ms since the sampler started, resident bytes of each workerd process. */
export interface RssSample {
  t: number
  runtime: number
  proxy: number
}

/** Samples workerd's RSS by process every `everyMs` until stopped. */
export function sampleRss(processGroup: number, url: string, everyMs = 5000) {
  const t0 = Date.now()
  const port = Number(new URL(url).port)
  const samples: RssSample[] = []
  const take = () => {
    const b = workerdRssByRole(processGroup, port)
    if (b !== null) samples.push({ t: Date.now() - t0, ...b })
  }
  take()
  const timer = setInterval(take, everyMs)
  return {
    stop(): RssSample[] {
      clearInterval(timer)
      take()
      return samples
    },
  }
}

const pct = (from: number, to: number) => Math.round(((to - from) / from) * 1000) / 10

/**
 * Memory figures of a run: after warm-up (the first tenth), at the end, the growth between, for
 * both workerd processes together and for each: `runtime` runs the collector (what a deployment
 * runs), `proxy` is wrangler's development proxy (bench/harness/process-rss.ts).
 */
function rssFigures(rss: RssSample[], requests: number) {
  // Warm-up: the first tenth of the run (isolates, SQLite caches and JIT settle).
  const end = rss.at(-1)?.t ?? 0
  const base = rss.find((s) => s.t >= end / 10) ?? rss[0]
  const first = rss[0]
  const last = rss.at(-1)
  const total = (s: RssSample) => s.runtime + s.proxy
  const part = (f: (s: RssSample) => number) =>
    base && last
      ? { after_warmup: mb(f(base)), end: mb(f(last)), growth_pct: pct(f(base), f(last)) }
      : null
  return {
    rss_mb: {
      after_warmup: base ? mb(total(base)) : null,
      end: last ? mb(total(last)) : null,
      max: rss.length ? mb(Math.max(...rss.map(total))) : null,
    },
    rss_growth_pct: base && last ? pct(total(base), total(last)) : null,
    rss_by_process: { runtime: part((s) => s.runtime), proxy: part((s) => s.proxy) },
    // Per request over the whole run: comparable between soak and soak.healthz.
    rss_growth_kb_per_request:
      first && last && rss.length > 1 && requests > 0
        ? Math.round((total(last) - total(first)) / 1024 / requests)
        : null,
    rss_samples: rss.length,
    // Every sample in MB, first of each minute: the shape of the curve, not only its ends.
    rss_curve_mb: rss
      .filter((s, i) => i === 0 || Math.floor(s.t / 60_000) > Math.floor(rss[i - 1]!.t / 60_000))
      .map((s) => ({ s: Math.round(s.t / 1000), runtime: mb(s.runtime), proxy: mb(s.proxy) })),
  }
}

export function soakEntry(
  o: SoakOptions,
  client: BenchEntry,
  lag: BenchEntry,
  rss: RssSample[],
  logs: string,
): BenchEntry {
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
    ...rssFigures(rss, client.posts as number),
  }
}

/**
 * `soak.healthz`: a fresh collector (same settings as the soak's, no faults: healthz never reaches
 * the consumer) under `GET /healthz` paced at `rate` per second for `durationS`, memory sampled
 * as in the soak. Requests that fail are counted, not retried.
 */
export async function runHealthzSoak(o: {
  rate: number
  durationS: number
  localObservability?: boolean
  /** Where the collector keeps its state (bench/harness/state-dir.ts). */
  stateDir?: string
  log: (s: string) => void
}): Promise<BenchEntry> {
  const c = await startCollector({
    snapshot: true,
    localObservability: o.localObservability,
    parentDir: o.stateDir,
  })
  try {
    o.log(`soak.healthz: GET /healthz at ${o.rate}/s for ${o.durationS} s`)
    const rss = sampleRss(c.processGroup, c.url)
    const t0 = Date.now()
    const inflight = new Set<Promise<void>>()
    let sent = 0
    let errors = 0
    while (Date.now() - t0 < o.durationS * 1000) {
      const p = fetch(`${c.url}/healthz`)
        .then(async (r) => void (await r.arrayBuffer(), r.ok || errors++))
        .catch(() => void errors++)
        .finally(() => inflight.delete(p))
      inflight.add(p)
      sent++
      const wait = t0 + (sent * 1000) / o.rate - Date.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    }
    await Promise.all(inflight)
    const seconds = (Date.now() - t0) / 1000
    return {
      name: 'soak.healthz',
      kind: 'load',
      n: sent,
      median_ms: 0,
      p99_ms: 0,
      rate_target_per_s: o.rate,
      throughput_per_s: Math.round((sent / seconds) * 10) / 10,
      duration_s: Math.round(seconds * 10) / 10,
      errors,
      ...rssFigures(rss.stop(), sent),
    }
  } finally {
    await c.stop()
  }
}
