/**
 * `soak`: sustained load at a fixed rate (`--rate`, batches/s over all agents, meant as
 * about half the measured maximum) for `--duration` seconds against a collector whose sync
 * consumer fails on purpose at a low rate (`SYNC_FAULTS`, development only:
 * worker/sync/inject-fault.ts). What must hold: every accepted batch stored once (lost 0,
 * duplicated 0, every metric point folded into the rollups exactly once) and the collector's
 * workerd process's resident memory flat: growth from the end of a warm-up phase (`--warmup`,
 * the same load, run first and reported but not counted) to the end of the `--duration` window.
 * Beside resident memory, the live JavaScript heap of each of that process's isolates after
 * every full GC (V8's `--trace-gc`, read from the collector's log): what the collector's own code
 * keeps, apart from what the local runtime's allocator keeps (docs/benchmarks.md).
 * The load itself is run-ingest.ts with pacing; this file samples memory and builds the entry.
 * `soak.healthz` is the control: the same collector settings, rate and duration with `GET /healthz`
 * instead of batches, so a growth both show is the local runtime's, not the ingest path's.
 */
import { startCollector } from '../harness/collector.ts'
import { workerdRssByRole } from '../harness/process-rss.ts'
import type { BenchEntry } from './run-ingest.ts'

export const DEFAULT_FAULTS = 'r2:0.02,log:0.02,d1:0.02,ack:0.02'

/**
 * Seconds of load before the measured window. On the 2-core machine the runtime process's
 * resident memory climbs for about four minutes under the soak's load (its SQLite page caches,
 * V8 heaps, and the allocator's high-water mark of native garbage the isolates collect only at a
 * full GC) and then holds; a growth measured from an earlier point is that ramp
 * (docs/benchmarks.md, "The soak's memory, taken apart").
 */
export const DEFAULT_WARMUP_S = 300

/** V8 flags the soak runs workerd with: one log line per full GC of each isolate. */
export const SOAK_V8_FLAGS = ['--trace-gc', '--trace-gc-ignore-scavenger']

export interface SoakOptions {
  /** Target batches per second over all agents. */
  rate: number
  /** SYNC_FAULTS for the collector. */
  faults: string
  /** Seconds of the same load before the measured window. */
  warmupS: number
}

const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10

/**
 * One memory sample: ms since the sampler started, resident bytes of each workerd process, how
 * long the collector's log was then (to date the GC lines before it), the runtime's process ids.
 */
export interface RssSample {
  t: number
  runtime: number
  proxy: number
  logAt: number
  runtimePids: number[]
}

/** Samples workerd's RSS by process every `everyMs` until stopped. */
export function sampleRss(processGroup: number, url: string, logs: () => string, everyMs = 5000) {
  const t0 = Date.now()
  const port = Number(new URL(url).port)
  const samples: RssSample[] = []
  const take = () => {
    const b = workerdRssByRole(processGroup, port)
    if (b !== null) samples.push({ t: Date.now() - t0, ...b, logAt: logs().length })
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

/** One full GC of one isolate, as V8's `--trace-gc` logs it. */
export interface FullGc {
  pid: number
  isolate: string
  /** Live heap after the GC, and the heap's committed size, in MB. */
  liveMb: number
  committedMb: number
  /** Offset of the line in the log. */
  at: number
}

// "[1234:0x5a1c2e000]   4567 ms: Mark-Compact (reduce) 53.8 (85.1) -> 7.2 (80.7) MB, ..."
const FULL_GC =
  /^\[(\d+):(0x[0-9a-f]+)\]\s+[\d.]+ ms: Mark-Compact (?:\(reduce\) )?[\d.]+ \([\d.]+\) -> ([\d.]+) \(([\d.]+)\) MB/gm

/** Every full GC line of a log (scavenges are not logged: --trace-gc-ignore-scavenger). */
export function parseFullGcs(log: string): FullGc[] {
  return [...log.matchAll(FULL_GC)].map((m) => ({
    pid: Number(m[1]),
    isolate: m[2]!,
    liveMb: Number(m[3]),
    committedMb: Number(m[4]),
    at: m.index,
  }))
}

/**
 * The live JavaScript heap of the runtime process's isolates after full GCs in the measured window:
 * for each isolate with at least two such GCs, the first and the last, summed over them, and the
 * same for the busiest isolate (the largest committed heap: the collector's worker, which runs its
 * Durable Objects and queue consumer too). A leak in code that runs in workerd shows here whatever
 * the allocator keeps; null without GC lines (the soak sets --trace-gc: SOAK_V8_FLAGS).
 */
export function liveHeapFigures(rss: RssSample[], gcs: FullGc[], fromMs: number) {
  const from = rss.find((s) => s.t >= fromMs)
  if (!from) return null
  const pids = new Set(rss.flatMap((s) => s.runtimePids))
  const byIsolate = new Map<string, FullGc[]>()
  for (const g of gcs) {
    if (!pids.has(g.pid) || g.at < from.logAt) continue
    const k = `${g.pid}:${g.isolate}`
    const l = byIsolate.get(k)
    if (l) l.push(g)
    else byIsolate.set(k, [g])
  }
  const series = [...byIsolate.values()].filter((l) => l.length >= 2)
  if (series.length === 0) return null
  const mb1 = (x: number) => Math.round(x * 10) / 10
  const sum = (f: (l: FullGc[]) => number) => mb1(series.reduce((a, l) => a + f(l), 0))
  const first = sum((l) => l[0]!.liveMb)
  const last = sum((l) => l.at(-1)!.liveMb)
  const busiest = series.reduce((a, l) =>
    Math.max(...l.map((g) => g.committedMb)) > Math.max(...a.map((g) => g.committedMb)) ? l : a,
  )
  const live = busiest.map((g) => g.liveMb)
  return {
    isolates: series.length,
    full_gcs: series.reduce((a, l) => a + l.length, 0),
    after_warmup: first,
    end: last,
    growth_pct: pct(first, last),
    busiest_isolate: {
      full_gcs: busiest.length,
      after_warmup: busiest[0]!.liveMb,
      end: busiest.at(-1)!.liveMb,
      max: Math.max(...live),
      growth_pct: pct(busiest[0]!.liveMb, busiest.at(-1)!.liveMb),
      committed_mb_end: busiest.at(-1)!.committedMb,
    },
  }
}

/**
 * Memory figures of a run: at the end of the warm-up (the first sample at or after `warmupMs`), at
 * the end, the growth between, for both workerd processes together and for each: `runtime` runs
 * the collector (what a deployment runs), `proxy` is wrangler's development proxy
 * (bench/harness/process-rss.ts). `rss_growth_pct` is the runtime's: the soak's criterion.
 */
export function rssFigures(rss: RssSample[], requests: number, warmupMs: number, log: string) {
  const base = rss.find((s) => s.t >= warmupMs) ?? rss[0]
  const first = rss[0]
  const last = rss.at(-1)
  const total = (s: RssSample) => s.runtime + s.proxy
  const part = (f: (s: RssSample) => number) =>
    base && last
      ? { after_warmup: mb(f(base)), end: mb(f(last)), growth_pct: pct(f(base), f(last)) }
      : null
  return {
    warmup_s: Math.round(warmupMs / 1000),
    rss_mb: {
      after_warmup: base ? mb(total(base)) : null,
      end: last ? mb(total(last)) : null,
      max: rss.length ? mb(Math.max(...rss.map(total))) : null,
    },
    // The collector's process: the proxy runs none of its code and exists only in development.
    rss_growth_pct: base && last ? pct(base.runtime, last.runtime) : null,
    rss_growth_pct_both_processes: base && last ? pct(total(base), total(last)) : null,
    rss_by_process: { runtime: part((s) => s.runtime), proxy: part((s) => s.proxy) },
    // Per request over the whole run: comparable between soak and soak.healthz.
    rss_growth_kb_per_request:
      first && last && rss.length > 1 && requests > 0
        ? Math.round((total(last) - total(first)) / 1024 / requests)
        : null,
    v8_live_after_gc_mb: liveHeapFigures(rss, parseFullGcs(log), warmupMs),
    rss_samples: rss.length,
    // Every sample in MB, first of each minute, warm-up included: the shape of the curve.
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
    ...rssFigures(rss, client.posts as number, o.warmupS * 1000, logs),
  }
}

/**
 * `soak.healthz`: a fresh collector (same settings as the soak's, no faults: healthz never reaches
 * the consumer) under `GET /healthz` paced at `rate` per second for `warmupS` + `durationS`,
 * memory sampled as in the soak. Requests that fail are counted, not retried.
 */
export async function runHealthzSoak(o: {
  rate: number
  durationS: number
  warmupS: number
  localObservability?: boolean
  /** Where the collector keeps its state (bench/harness/state-dir.ts). */
  stateDir?: string
  log: (s: string) => void
}): Promise<BenchEntry> {
  const c = await startCollector({
    snapshot: true,
    localObservability: o.localObservability,
    parentDir: o.stateDir,
    v8Flags: SOAK_V8_FLAGS,
  })
  try {
    o.log(`soak.healthz: GET /healthz at ${o.rate}/s for ${o.warmupS} + ${o.durationS} s`)
    const rss = sampleRss(c.processGroup, c.url, c.logs)
    const t0 = Date.now()
    const inflight = new Set<Promise<void>>()
    let sent = 0
    let errors = 0
    while (Date.now() - t0 < (o.warmupS + o.durationS) * 1000) {
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
      ...rssFigures(rss.stop(), sent, o.warmupS * 1000, c.logs()),
    }
  } finally {
    await c.stop()
  }
}
