/**
 * `npm run bench [-- options]`: runs the micro benchmarks inside workerd and the end-to-end
 * ingest/sync benchmark, prints ONE JSON document on stdout
 *   {"results":[{"name","median_ms","p99_ms","n",...}, ...], "machine": {...}, "config": {...}}
 * and writes it to bench/out/latest.json (git-ignored). Progress goes to stderr.
 * Options:
 *   --only PREFIX[,PREFIX]  run only entries whose name starts with a prefix (e.g. verify.quote,
 *                           ingest); micro cases are skipped for load-only prefixes (platform,
 *                           ingest, sync, storage),
 *                           the load run when no prefix can match its entries
 *   --agents K (16)  --duration S (20, in rounds of 5 s)  or --batches N per agent instead  --metrics M (8 per batch)
 *   --iterations N   override every micro case's iteration count (quick runs)
 *   --sync-timeout S (120)  --out FILE (bench/out/latest.json)
 *   --ecdsa-backend wasm|noble  the collector's ECDSA_BACKEND for the load run (its default if unset)
 *   --state-dir DIR         where the load runs' collectors keep D1/R2/DO/queue state (default
 *                           /dev/shm when writable, else the tmpdir: a Durable Object commit
 *                           on disk blocks local workerd's one thread in fsync; config.state_fs
 *                           names the file system, docs/benchmarks.md "Disk flushes")
 *   --local-observability   keep wrangler dev's local observability on for the load run (off by
 *                           default: development tooling whose cost per invocation is not the
 *                           collector's, docs/benchmarks.md)
 *   --flood-duration S (60)  --flood-concurrency N (32)  --flood-clients N (64)   abuse.flood
 *   --generated-dir DIR     where the micro worker is generated (bench/.generated)
 *   --only soak [--duration S (600)] [--warmup S (300)] [--rate R (180 batches/s: half of the ingest maximum measured on the 2-core machine)] [--faults SPEC]
 *                           paced load with development-only sync faults (SYNC_FAULTS, default
 *                           r2/log/d1/ack at 2% each) and workerd memory sampling, the memory's
 *                           growth measured over --duration after --warmup s of the same load;
 *                           run only by name
 *   --only soak.healthz     its control: GET /healthz at the same --rate, --warmup and --duration,
 *                           memory sampled the same way (growth it shares with the soak is the runtime's)
 * Exit 0 on success, 1 when a benchmark failed or the run lost or duplicated batches, 2 on usage.
 * docs/benchmarks.md explains every entry.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { runMicro, type MicroResult } from './harness/run-micro.ts'
import { REPO_ROOT } from './harness/wrangler-dev.ts'
import { runIngest, type BenchEntry } from './ingest/run-ingest.ts'
import { runAbuse } from './abuse/run-abuse.ts'
import { DEFAULT_FAULTS, DEFAULT_WARMUP_S, runHealthzSoak } from './ingest/soak.ts'
import { fileSystemOf, resolveStateDir } from './harness/state-dir.ts'

export const LOAD_ENTRIES = [
  'platform.healthz',
  'ingest.server',
  'ingest.client',
  'sync.lag',
  'storage.rows_per_batch',
  'provenance.read',
]

const log = (s: string) => process.stderr.write(`[bench] ${s}\n`)

function version(pkg: string): string | null {
  try {
    return (
      JSON.parse(
        readFileSync(path.join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8'),
      ) as { version: string }
    ).version
  } catch {
    return null
  }
}

function machine() {
  const cpus = os.cpus()
  let commit: string | null = null
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim()
  } catch {
    /* not a git checkout */
  }
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    wrangler: version('wrangler'),
    workerd: version('workerd'),
    commit,
    date: new Date().toISOString(),
  }
}

/** A whole-number option of at least `min` (1 unless said), `dflt` when absent. */
function intOption(name: string, v: string | undefined, dflt: number, min = 1): number {
  if (v === undefined) return dflt
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < min)
    throw new UsageError(
      `--${name} must be ${min === 1 ? 'a positive integer' : `an integer of at least ${min}`}`,
    )
  return n
}

class UsageError extends Error {}

function stateDirOption(v: string | undefined): string {
  try {
    return resolveStateDir(v)
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
}

/** The ingest (or soak) run; not ok when it lost or duplicated batches, or the soak drifted. */
async function loadEntries(
  opts: Options,
  soak: boolean,
): Promise<{ entries: BenchEntry[]; ok: boolean }> {
  try {
    const entries = await runIngest({
      ...opts,
      log,
      soak: soak ? { rate: opts.rate, faults: opts.faults, warmupS: opts.warmupS } : undefined,
    })
    const client = entries.find((e) => e.name === 'ingest.client')
    const s = entries.find((e) => e.name === 'soak')
    const lossy = !!client && ((client.lost as number) > 0 || (client.duplicated as number) > 0)
    const drift =
      !!s && (s.metric_points !== s.metric_points_expected || (s.rss_growth_pct as number) >= 20)
    return { entries, ok: !lossy && !drift }
  } catch (e) {
    log(`ingest benchmark failed: ${(e as Error).stack ?? e}`)
    return { entries: [], ok: false }
  }
}

/** The options from the command line; undefined (after a usage line on stderr) when wrong. */
function readOptions(argv: string[]) {
  let a
  try {
    a = parseArgs({
      args: argv,
      options: {
        only: { type: 'string' },
        agents: { type: 'string' },
        batches: { type: 'string' },
        duration: { type: 'string' },
        metrics: { type: 'string' },
        iterations: { type: 'string' },
        'sync-timeout': { type: 'string' },
        out: { type: 'string' },
        'generated-dir': { type: 'string' },
        'ecdsa-backend': { type: 'string' },
        'local-observability': { type: 'boolean' },
        'flood-duration': { type: 'string' },
        'flood-concurrency': { type: 'string' },
        'flood-clients': { type: 'string' },
        rate: { type: 'string' },
        faults: { type: 'string' },
        warmup: { type: 'string' },
        'state-dir': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (e) {
    log(`usage: ${(e as Error).message}`)
    return undefined
  }
  let opts
  try {
    opts = {
      prefixes: (a.only ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      agents: intOption('agents', a.agents, 16),
      batches: intOption('batches', a.batches, 100),
      batchesGiven: a.batches !== undefined,
      durationS: a.duration === undefined ? undefined : intOption('duration', a.duration, 0),
      metricsPerBatch: intOption('metrics', a.metrics, 8),
      iterations: a.iterations === undefined ? undefined : intOption('iterations', a.iterations, 0),
      syncTimeoutS: intOption('sync-timeout', a['sync-timeout'], 120),
      out: path.resolve(a.out ?? path.join(REPO_ROOT, 'bench/out/latest.json')),
      ecdsaBackend: a['ecdsa-backend'],
      localObservability: a['local-observability'] ?? false,
      stateDir: stateDirOption(a['state-dir']),
      rate: intOption('rate', a.rate, 180),
      faults: a.faults ?? DEFAULT_FAULTS,
      warmupS: intOption('warmup', a.warmup, DEFAULT_WARMUP_S, 0),
      generatedDir: a['generated-dir'] === undefined ? undefined : path.resolve(a['generated-dir']),
      flood: {
        durationS: intOption('flood-duration', a['flood-duration'], 60),
        concurrency: intOption('flood-concurrency', a['flood-concurrency'], 32),
        clients: intOption('flood-clients', a['flood-clients'], 64),
      },
    }
  } catch (e) {
    if (e instanceof UsageError) {
      log(`usage: ${e.message}`)
      return undefined
    }
    throw e
  }
  if (opts.ecdsaBackend !== undefined && !['wasm', 'noble'].includes(opts.ecdsaBackend)) {
    log('usage: --ecdsa-backend must be wasm or noble')
    return undefined
  }
  return opts
}

type Options = NonNullable<ReturnType<typeof readOptions>>

/** Seconds of load when neither --duration nor --batches is given. */
export const DEFAULT_LOAD_S = 20

export async function main(argv: string[]): Promise<number> {
  const opts = readOptions(argv)
  if (!opts) return 2
  const { prefixes } = opts
  const wanted = (name: string) => prefixes.length === 0 || prefixes.some((p) => name.startsWith(p))
  const loadOnly = (p: string) =>
    p.startsWith('abuse') ||
    p.startsWith('soak') ||
    LOAD_ENTRIES.some((e) => e.startsWith(p) || p.startsWith(e))
  const runMicroCases = prefixes.length === 0 || prefixes.some((p) => !loadOnly(p))
  // The soak runs only when asked for by name (it is long); it replaces the ordinary load run.
  const soak = prefixes.includes('soak')
  const soakHealthz = prefixes.includes('soak.healthz')
  const runLoad = soak || LOAD_ENTRIES.some(wanted)
  if ((soak || soakHealthz) && opts.durationS === undefined) opts.durationS = 600
  // A steady load by default: a fixed 100 batches per agent is a ~3 s burst, mostly warm-up (new
  // ledgers, first nonces, compilation) and the queue draining after it, against healthz's two 10 s
  // windows; the ratio is about the steady state.
  if (opts.durationS === undefined && !opts.batchesGiven) opts.durationS = DEFAULT_LOAD_S
  const runFlood = wanted('abuse.flood')

  const results: (BenchEntry | MicroResult)[] = []
  let timer: unknown = null
  let failed = false
  const started = Date.now()
  // Other processes on this machine skew every figure; the load average says how much.
  const loadStart = os.loadavg().map((x) => Math.round(x * 100) / 100)
  if (runMicroCases) {
    try {
      log('micro: bundling bench/cases and starting workerd (wrangler dev)')
      const m = await runMicro({
        filter: wanted,
        log,
        iterations: opts.iterations,
        outDir: opts.generatedDir,
      })
      timer = m.clock
      results.push(...m.results)
    } catch (e) {
      log(`micro benchmarks failed: ${(e as Error).stack ?? e}`)
      failed = true
    }
  }
  if (runLoad) {
    const load = await loadEntries(opts, soak)
    results.push(...load.entries.filter((e) => wanted(e.name)))
    if (!load.ok) failed = true
  }
  if (soakHealthz) {
    try {
      const e = await runHealthzSoak({ ...opts, durationS: opts.durationS!, log })
      results.push(e)
      if ((e.errors as number) > 0) failed = true
    } catch (e) {
      log(`soak.healthz failed: ${(e as Error).stack ?? e}`)
      failed = true
    }
  }
  if (runFlood) {
    try {
      results.push(...(await runAbuse({ ...opts.flood, stateDir: opts.stateDir, log })))
    } catch (e) {
      log(`abuse benchmark failed: ${(e as Error).stack ?? e}`)
      failed = true
    }
  }
  const doc = {
    results,
    machine: {
      ...machine(),
      workerd_timer: timer,
      loadavg_start: loadStart,
      loadavg_end: os.loadavg().map((x) => Math.round(x * 100) / 100),
    },
    config: {
      only: prefixes,
      agents: opts.agents,
      batches: opts.durationS === undefined ? opts.batches : null,
      duration_s: opts.durationS ?? null,
      warmup_s: soak || soakHealthz ? opts.warmupS : null,
      metrics_per_batch: opts.metricsPerBatch,
      ecdsa_backend: opts.ecdsaBackend ?? null,
      local_observability: runLoad ? opts.localObservability : null,
      state_dir: runLoad || runFlood || soakHealthz ? opts.stateDir : null,
      state_fs: runLoad || runFlood || soakHealthz ? fileSystemOf(opts.stateDir) : null,
      iterations_override: opts.iterations ?? null,
      flood: runFlood ? opts.flood : null,
      wall_s: Math.round((Date.now() - started) / 100) / 10,
    },
  }
  const text = JSON.stringify(doc, null, 2)
  process.stdout.write(text + '\n')
  mkdirSync(path.dirname(opts.out), { recursive: true })
  writeFileSync(opts.out, text + '\n')
  log(`wrote ${path.relative(process.cwd(), opts.out) || opts.out}`)
  return failed ? 1 : 0
}

process.exitCode = await main(process.argv.slice(2))
