/**
 * The end-to-end ingest and sync benchmark: K simulated agents (soft TPMs,
 * bench/sim) against the real collector (`wrangler dev`, local D1/R2/DO/Queues), all on this
 * machine. Agents are admitted through the real APIs: the operator puts their EKs on the
 * allowlist, each enrolls and activates; then every agent streams batches concurrently with
 * nonce chaining: for `--duration` (the default) in rounds that alternate with the healthz windows
 * (rounds.ts), for `--batches N` and the soak in one load between two healthz windows.
 * Afterwards the run waits for the sync consumer to store what was accepted and reads D1
 * (wrangler d1 execute) to count lost and duplicated batches and the storage lag.
 * Entries:
 *  - ingest.server: Server-Timing verify (stateless verification) per accepted batch, plus the
 *    ledger RPC (nonce, replay, outbox) and the whole handler;
 *  - ingest.client: client round trip per POST, throughput, accepted/rejected/lost/duplicated;
 *  - sync.lag: stored_at - accepted_at per stored batch, storage throughput, consumer retries
 *    (counted from the collector's log);
 *  - platform.healthz (run-healthz.ts) and storage.rows_per_batch (storage-cost.ts).
 * Leaves out enrollment timing and network distance (client and server share the machine).
 */
import type { Collector } from '../harness/collector.ts'
import { startCollector } from '../harness/collector.ts'
import { summarize } from '../harness/stats.ts'
import { enrollSimAgent, type SimAgent } from '../sim/enroll-sim-agent.ts'
import { sendSimBatches, type BatchSample } from '../sim/send-sim-batches.ts'
import { nodeQuoteSigner } from '../sim/node-signer.ts'
import { createSoftTpm } from '../sim/soft-tpm.ts'
import { combineHealthz, cpuMeter, runHealthz } from './run-healthz.ts'
import {
  cpuPer,
  ROUND_S,
  runRounds,
  summarizeRounds,
  WARMUP_HEALTHZ_S,
  WARMUP_INGEST_S,
} from './rounds.ts'
import { provenanceRead } from './provenance-read.ts'
import { sampleRss, soakEntry, SOAK_V8_FLAGS, type SoakOptions } from './soak.ts'
import { countRolledUpPoints, storageEntry } from './storage-cost.ts'

export interface IngestOptions {
  agents: number
  batches: number
  /** Seconds; when set, agents stop at this deadline even before `batches`. */
  durationS?: number
  metricsPerBatch: number
  /** The collector's ECDSA_BACKEND ('wasm' | 'noble'); unset keeps the collector's default. */
  ecdsaBackend?: string
  /** wrangler dev's local observability (X_LOCAL_OBSERVABILITY); unset keeps wrangler's default. */
  localObservability?: boolean
  /** Seconds to wait for the sync consumer after the load ends. */
  syncTimeoutS: number
  /** Seconds of `GET /healthz` load before the agents enroll (platform.healthz). */
  healthzS?: number
  /** Where the collector keeps its state (bench/harness/state-dir.ts); the tmpdir if unset. */
  stateDir?: string
  /** Paced load with injected sync faults and memory sampling (soak.ts). */
  soak?: SoakOptions
  log: (s: string) => void
}

export type BenchEntry = { name: string; median_ms: number; p99_ms: number; n: number } & Record<
  string,
  unknown
>

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d
const ratioOf = (a: unknown, b: unknown) =>
  typeof a === 'number' && typeof b === 'number' && b > 0 ? round(a / b) : null

/** A position per agent, spread out but well inside the dev world zone. */
function location(i: number) {
  return { lat: -50 + ((i * 37) % 100), lon: -160 + ((i * 53) % 320), accuracyM: 15 }
}

async function admitAgents(c: Collector, k: number, log: (s: string) => void): Promise<SimAgent[]> {
  const t0 = performance.now()
  const tpms = await Promise.all(
    Array.from({ length: k }, () => createSoftTpm({ signer: nodeQuoteSigner })),
  )
  const res = await c.api('operator', '/v1/config/allowlist', {
    method: 'PUT',
    body: JSON.stringify({
      value: { enabled: true, ekPublicSha256: tpms.map((t) => t.agentId), certSerials: [] },
    }),
  })
  if (!res.ok) throw new Error(`allowlist: HTTP ${res.status} ${await res.text()}`)
  const agents: SimAgent[] = []
  // A few at a time: enrollment is not what is measured, and RSA key work is bursty.
  for (let i = 0; i < tpms.length; i += 4) {
    agents.push(
      ...(await Promise.all(
        tpms
          .slice(i, i + 4)
          .map((t, j) =>
            enrollSimAgent(c.url, t, { id: `bench-gnss-${i + j}`, firmware: 'sim-1.0' }),
          ),
      )),
    )
  }
  log(`enrolled ${agents.length} simulated agents in ${Math.round(performance.now() - t0)} ms`)
  return agents
}

type StoredRow = { batch_id: string; accepted_at: number; stored_at: number }

/**
 * Poll D1 until every accepted batch is stored, or nothing has moved for a minute, or the
 * timeout; returns the batches rows as last read.
 */
async function waitForSync(
  c: Collector,
  accepted: ReadonlySet<string>,
  timeoutS: number,
  log: (s: string) => void,
): Promise<{ complete: boolean; rows: StoredRow[] }> {
  const until = Date.now() + timeoutS * 1000
  let seen = -1
  let lastChange = Date.now()
  for (;;) {
    const rows = await c.d1<StoredRow>('SELECT batch_id, accepted_at, stored_at FROM batches')
    const stored = new Set(rows.map((r) => r.batch_id))
    const missing = [...accepted].filter((id) => !stored.has(id)).length
    if (rows.length !== seen) {
      seen = rows.length
      lastChange = Date.now()
      log(`sync: ${accepted.size - missing}/${accepted.size} accepted batches stored`)
    }
    if (missing === 0) return { complete: true, rows }
    // Give up early only when nothing moves for a long while (the ledger alarm re-announces).
    if (Date.now() > until || Date.now() - lastChange > Math.min(60_000, timeoutS * 1000)) {
      return { complete: false, rows }
    }
    await new Promise((r) => setTimeout(r, 2000))
  }
}

export async function runIngest(o: IngestOptions): Promise<BenchEntry[]> {
  o.log(`ingest: starting collector (wrangler dev)`)
  const c = await startCollector({
    snapshot: true,
    localObservability: o.localObservability,
    parentDir: o.stateDir,
    workerVars: {
      ...(o.ecdsaBackend ? { ECDSA_BACKEND: o.ecdsaBackend } : {}),
      ...(o.soak ? { SYNC_FAULTS: o.soak.faults } : {}),
    },
    v8Flags: o.soak ? SOAK_V8_FLAGS : undefined,
  })
  try {
    const m =
      o.durationS !== undefined && !o.soak
        ? await measureInRounds(c, o)
        : await measureContinuous(c, o)
    const { all, loadS, cpuPerBatch, healthz, agents, rssSamples } = m
    const { answered, ok, ids, last, rejected, rejectedCodes, unanswered, networkErrors } =
      classify(all)
    o.log(`ingest: ${last.size} batches (${all.length} POSTs), ${ids.size} accepted`)
    const sync = m.sync ?? (await waitForSync(c, ids, o.syncTimeoutS, o.log))
    const { rows } = sync
    const points = await countRolledUpPoints(c)
    const [dead] = await c.d1<{ n: number }>('SELECT count(*) AS n FROM dead_letters')
    const storedIds = new Set(rows.map((r) => r.batch_id))
    const lost = [...ids].filter((id) => !storedIds.has(id)).length
    const duplicated = rows.length - storedIds.size
    const unacknowledged = [...storedIds].filter((id) => !ids.has(id)).length
    const logs = c.logs()
    const consumerRetries = logs.match(/failed, retrying/g)?.length ?? 0

    const server = serverEntry(ok, agents.length, o)
    const client: BenchEntry = {
      name: 'ingest.client',
      kind: 'load',
      ...summarize(answered.map((s) => s.clientMs)),
      throughput_per_s: m.ingestPerS,
      // Batches per trivial request of the same stack (the target: at least 0.5, docs/benchmarks.md):
      // in rounds, the median of the rounds' ratios (rounds.ts).
      healthz_ratio: m.ratio,
      ...m.roundsReport,
      // The same ratio from the collector's CPU per request and per batch (sync included): what
      // the ratio would be if the collector had the cores to itself.
      cpu_ratio: ratioOf(healthz.workerd_cpu_ms_per_request, cpuPerBatch.workerd_cpu_ms_per_batch),
      // The collector's process alone (wrangler's dev proxy left out): what a batch costs the
      // runtime that would be deployed, in trivial requests of that runtime.
      runtime_cpu_ratio: ratioOf(
        healthz.runtime_cpu_ms_per_request,
        cpuPerBatch.runtime_cpu_ms_per_batch,
      ),
      ...cpuPerBatch,
      duration_s: round(loadS, 2),
      agents: agents.length,
      batches_per_agent: o.durationS === undefined ? o.batches : null,
      metrics_per_batch: o.metricsPerBatch,
      batches: last.size,
      posts: all.length,
      accepted: ids.size,
      rejected,
      rejected_codes: rejectedCodes,
      unanswered,
      network_errors: networkErrors,
      duplicate_replies: ok.filter((s) => s.duplicate).length,
      lost,
      duplicated,
      stored_unacknowledged: unacknowledged,
      metric_points: points,
      metric_points_expected: storedIds.size * o.metricsPerBatch,
      dead_letters: dead?.n ?? 0,
      sync_complete: sync.complete,
    }
    const lag = lagEntry(rows, ids, consumerRetries, m.roundsReport.rounds === undefined)
    o.log(
      `ingest: lost ${lost}, duplicated ${duplicated}, metric_points ${client.metric_points}/${client.metric_points_expected}`,
    )
    const entries = [healthz, server, client, lag, await storageEntry(c, storedIds.size)]
    if (!o.soak) entries.push(await provenanceRead(c, [...storedIds]))
    if (o.soak && rssSamples) entries.push(soakEntry(o.soak, client, lag, rssSamples, logs))
    return entries
  } catch (e) {
    o.log(`ingest failed; collector log tail:\n${c.logs().slice(-4000)}`)
    throw e
  } finally {
    await c.stop()
  }
}

/** Each batch's fate (its last attempt's), the accepted ids, refusal codes, network errors. */
function classify(all: BatchSample[]) {
  const answered = all.filter((s) => !s.error)
  const ok = answered.filter((s) => (s.status === 202 || s.status === 200) && s.batchId)
  const ids = new Set(ok.map((s) => s.batchId!))
  // The fate of each batch is its last attempt's.
  const last = new Map<string, BatchSample>()
  for (const s of all) last.set(`${s.agentId}:${s.seq}`, s)
  const rejectedCodes: Record<string, number> = {}
  let rejected = 0
  let unanswered = 0
  for (const s of last.values()) {
    if (s.error) unanswered++
    else if (s.status !== 202 && s.status !== 200) {
      rejected++
      const k = s.code ?? String(s.status)
      rejectedCodes[k] = (rejectedCodes[k] ?? 0) + 1
    }
  }
  const networkErrors: Record<string, number> = {}
  for (const s of all) if (s.error) networkErrors[s.error] = (networkErrors[s.error] ?? 0) + 1
  return { answered, ok, ids, last, rejected, rejectedCodes, unanswered, networkErrors }
}

/** ingest.server: verification, ledger RPC and handler time as the collector reports them. */
function serverEntry(ok: BatchSample[], agents: number, o: IngestOptions): BenchEntry {
  const timed = ok.filter((s) => s.verifyMs !== undefined)
  const pick = (k: 'ledgerMs' | 'totalMs') =>
    summarize(timed.map((s) => s[k]).filter((x): x is number => x !== undefined))
  const ledger = pick('ledgerMs')
  const total = pick('totalMs')
  return {
    name: 'ingest.server',
    kind: 'load',
    ...summarize(timed.map((s) => s.verifyMs!)),
    ledger_ms: { median: ledger.median_ms, p99: ledger.p99_ms },
    handler_ms: { median: total.median_ms, p99: total.p99_ms },
    agents,
    ecdsa_backend: o.ecdsaBackend ?? 'collector default',
    timer_resolution_ms: 1,
  }
}

/**
 * sync.lag: accepted -> stored in D1, for this run's accepted batches. The storage rate only for a
 * continuous load: in rounds, the storage window spans the healthz windows too.
 */
function lagEntry(
  rows: StoredRow[],
  ids: Set<string>,
  consumerRetries: number,
  continuous: boolean,
): BenchEntry {
  const ours = rows.filter((r) => ids.has(r.batch_id))
  const lags = ours.map((r) => r.stored_at - r.accepted_at)
  const firstStored = Math.min(...ours.map((r) => r.stored_at))
  const lastStored = Math.max(...ours.map((r) => r.stored_at))
  const windowS = (lastStored - firstStored) / 1000
  return {
    name: 'sync.lag',
    kind: 'load',
    ...summarize(lags),
    throughput_per_s: continuous && windowS > 0 ? round(ours.length / windowS, 1) : null,
    storage_window_s: round(windowS, 2),
    stored: ours.length,
    consumer_retries: consumerRetries,
  }
}

/** What a load run measured, continuous or in rounds, before the checks common to both. */
interface Measured {
  agents: SimAgent[]
  /** every POST made */
  all: BatchSample[]
  /** seconds of (timed) load */
  loadS: number
  cpuPerBatch: Record<string, number | null>
  healthz: BenchEntry
  ingestPerS: number
  ratio: number | null
  roundsReport: Record<string, unknown>
  rssSamples?: ReturnType<ReturnType<typeof sampleRss>['stop']> | undefined
  sync?: Awaited<ReturnType<typeof waitForSync>>
}

/**
 * One healthz window before the agents enroll, the load, sync, a second healthz window: the
 * soak and fixed-count (`--batches`) runs. The ratio uses the mean of the two windows.
 */
async function measureContinuous(c: Collector, o: IngestOptions): Promise<Measured> {
  o.log(`platform.healthz: ${o.agents} clients x ${o.healthzS ?? 10} s`)
  const healthzBefore = await runHealthz(c.url, o.agents, o.healthzS ?? 10, c.processGroup)
  o.log(`platform.healthz: ${healthzBefore.throughput_per_s} requests/s`)
  const agents = await admitAgents(c, o.agents, o.log)
  const rss = o.soak ? sampleRss(c.processGroup, c.url, c.logs) : null
  // Until every batch is stored: the consumer's share is part of what a batch costs.
  const cpu = cpuMeter(c.processGroup, c.url)
  // The soak's warm-up is the same load, run first: its batches count for loss like any other.
  const { perAgent, loadS } = await sendLoad(
    c.url,
    agents,
    o.soak && o.durationS !== undefined ? { ...o, durationS: o.soak.warmupS + o.durationS } : o,
  )
  const all = perAgent.flat()
  const { ids } = classify(all)
  o.log(`ingest: load of ${round(loadS, 1)} s`)
  const sync = await waitForSync(c, ids, o.syncTimeoutS, o.log)
  // Before the second healthz run: its thousands of requests are not the soak's load.
  const rssSamples = rss?.stop()
  const cpuPerBatch = cpu.per('batch', ids.size)
  // Measured again after the load, so a machine that got busier or quieter meanwhile shows.
  const healthz = combineHealthz(
    healthzBefore,
    await runHealthz(c.url, o.agents, o.healthzS ?? 10, c.processGroup),
  )
  const rate = ids.size / loadS
  return {
    agents,
    all,
    loadS,
    cpuPerBatch,
    healthz,
    ingestPerS: round(rate, 1),
    ratio: round(rate / (healthz.throughput_per_s as number), 3),
    roundsReport: {},
    rssSamples,
    sync,
  }
}

/** A timed run (`--duration`, the default): healthz and ingest windows in turn (rounds.ts). */
async function measureInRounds(c: Collector, o: IngestOptions): Promise<Measured> {
  const agents = await admitAgents(c, o.agents, o.log)
  const r = await runRounds(c, agents, {
    rounds: Math.max(2, Math.round(o.durationS! / ROUND_S)),
    metricsPerBatch: o.metricsPerBatch,
    location,
    log: o.log,
  })
  const sum = summarizeRounds(r.rounds, {
    batches: r.timedIds.size,
    loadS: r.timedLoadS,
    requests: r.healthzRequests,
    healthzS: r.healthzSeconds,
  })
  const healthz: BenchEntry = {
    name: 'platform.healthz',
    kind: 'load',
    ...summarize(r.healthzLatencies),
    throughput_per_s: sum.healthz_per_s,
    duration_s: round(r.healthzSeconds, 2),
    clients: o.agents,
    errors: r.healthzErrors,
    rounds: r.rounds.length,
    ...cpuPer(r.healthzCpu, 'request'),
  }
  return {
    agents,
    all: r.samples,
    loadS: r.timedLoadS,
    cpuPerBatch: cpuPer(r.ingestCpu, 'batch'),
    healthz,
    ingestPerS: sum.ingest_per_s,
    ratio: sum.ratio_median,
    roundsReport: {
      healthz_ratio_min: sum.ratio_min,
      healthz_ratio_max: sum.ratio_max,
      healthz_ratio_pooled: sum.ratio_pooled,
      round_s: ROUND_S,
      warmup_s: { healthz: WARMUP_HEALTHZ_S, ingest: WARMUP_INGEST_S },
      rounds: r.rounds,
    },
  }
}

/** Every agent sends its batches (or for the duration) concurrently; seconds the load took. */
async function sendLoad(
  url: string,
  agents: Awaited<ReturnType<typeof admitAgents>>,
  o: IngestOptions,
) {
  const deadline = o.durationS === undefined ? undefined : Date.now() + o.durationS * 1000
  const batches = o.durationS === undefined ? o.batches : Number.MAX_SAFE_INTEGER
  o.log(
    `ingest: ${agents.length} agents x ${o.durationS === undefined ? `${o.batches} batches` : `${o.durationS} s`}, ` +
      `${o.metricsPerBatch} metrics per batch`,
  )
  let done = 0
  const t0 = performance.now()
  const perAgent = await Promise.all(
    agents.map((agent, i) =>
      sendSimBatches({
        collector: url,
        agent,
        batches,
        deadline,
        metricsPerBatch: o.metricsPerBatch,
        location: location(i),
        intervalMs: o.soak ? (agents.length / o.soak.rate) * 1000 : undefined,
        onSample: () => {
          if (++done % 500 === 0) o.log(`ingest: ${done} batches sent`)
        },
      }),
    ),
  )
  const loadS = (performance.now() - t0) / 1000
  return { perAgent, loadS }
}
