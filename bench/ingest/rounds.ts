/**
 * The ratio of issue 14 (accepted batches/s against trivial `GET /healthz` requests/s through the
 * same local stack) measured in alternating rounds, so that what the machine does meanwhile
 * cancels. Measured as one healthz window before the load and one after, the two sides saw
 * different machines: on the shared 2-core VMs the runs are made on, healthz moved by 15-25%
 * between its two windows of one run (the "after" window faster in every run: the collector's
 * process had grown its heaps and tuned its code during the load), and by ~40% between runs, and
 * the ratio with it (0.47-0.63 for one tree within an hour).
 *
 * So: a warm-up (healthz and the agents' batches, untimed; then the consumer drains), then
 * `rounds` times: a healthz window of `ROUND_S` seconds, an ingest window of `ROUND_S` seconds (the
 * agents continue their sequence numbers and fetch one nonce each), and a wait until the consumer
 * has stored what the window accepted, so neither window pays for the other's work. The ratio of
 * each round compares two windows a few seconds apart; the run reports their median, spread and
 * pooled value. An ingest window counts only what is accepted after its first RAMP_S seconds, so
 * the consumer's backlog (its work lags the admissions by the sync lag, up to the queue's 1 s
 * batch timeout) is there when the timed part starts as it is when it ends: the window neither
 * gains by leaving its last batches' storage to the drain nor pays for an empty pipeline.
 */
import type { Collector } from '../harness/collector.ts'
import type { SimAgent } from '../sim/enroll-sim-agent.ts'
import { sendSimBatches, type BatchSample } from '../sim/send-sim-batches.ts'
import { cpuMeter, runHealthz } from './run-healthz.ts'

/** Seconds of each healthz and each ingest window. */
export const ROUND_S = 5
/**
 * Untimed seconds of healthz, then of ingest, before the first round. Healthz alone on a fresh
 * collector ran ~25% slower in its first 5 s window than from its third on (the client's fetch
 * and the stack's code and heaps warming up); 10 s of it and 5 s of batches warm both.
 */
export const WARMUP_HEALTHZ_S = 10
export const WARMUP_INGEST_S = 5
/**
 * Untimed first second of each ingest window: the agents fetch their nonce and the consumer's
 * backlog builds up, so the timed part of the window starts with a backlog as it ends with one.
 */
export const RAMP_S = 1

export interface RoundResult {
  healthz_per_s: number
  ingest_per_s: number
  ratio: number
}

/** CPU ms by process over some windows, and the units of work done in them. */
export interface CpuTotals {
  runtime: number
  proxy: number
  client: number
  workerd: number
  n: number
}

export interface RoundsOutcome {
  /** Every POST of the warm-up and the rounds (the warm-up's batches are stored and checked too). */
  samples: BatchSample[]
  /** The accepted batch ids of the timed ingest windows. */
  timedIds: Set<string>
  /** Seconds of the timed ingest windows, summed. */
  timedLoadS: number
  rounds: RoundResult[]
  healthzCpu: CpuTotals
  ingestCpu: CpuTotals
  healthzRequests: number
  healthzSeconds: number
  healthzErrors: number
  /** Latency of every timed healthz request (ms). */
  healthzLatencies: number[]
}

export interface RoundsOptions {
  rounds: number
  metricsPerBatch: number
  location: (i: number) => { lat: number; lon: number; accuracyM: number }
  log: (s: string) => void
}

const round3 = (x: number) => Math.round(x * 1000) / 1000

/** Batches the consumer reported stored so far (one log line per stored pack). */
export function storedFromLogs(logs: string): number {
  let n = 0
  for (const m of logs.matchAll(/sync: stored (\d+) batches/g)) n += Number(m[1])
  return n
}

/** Median, spread and pooled ratio of the rounds. */
export function summarizeRounds(
  rounds: readonly RoundResult[],
  pooled: { batches: number; loadS: number; requests: number; healthzS: number },
) {
  if (rounds.length === 0) throw new Error('no rounds to summarize')
  const ratios = rounds.map((r) => r.ratio).sort((a, b) => a - b)
  const mid = ratios.length >> 1
  const median = ratios.length % 2 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2
  const ingest = pooled.batches / pooled.loadS
  const healthz = pooled.requests / pooled.healthzS
  return {
    ratio_median: round3(median),
    ratio_min: ratios[0]!,
    ratio_max: ratios.at(-1)!,
    ratio_pooled: round3(ingest / healthz),
    ingest_per_s: Math.round(ingest * 10) / 10,
    healthz_per_s: Math.round(healthz * 10) / 10,
  }
}

/** Adds CPU figures given per `unit` for `scale` units, and `n` units of work. */
function addCpu(
  into: CpuTotals,
  m: Record<string, unknown>,
  unit: string,
  scale: number,
  n: number,
): void {
  const v = (k: string) => {
    const x = m[`${k}_cpu_ms_per_${unit}`]
    return typeof x === 'number' ? x * scale : 0
  }
  into.runtime += v('runtime')
  into.proxy += v('proxy')
  into.client += v('client')
  into.workerd += v('workerd')
  into.n += n
}

const zeroCpu = (): CpuTotals => ({ runtime: 0, proxy: 0, client: 0, workerd: 0, n: 0 })

/** CPU per unit from totals, in the field names the continuous run reports. */
export function cpuPer(t: CpuTotals, unit: string): Record<string, number | null> {
  const per = (x: number) => (t.n > 0 ? round3(x / t.n) : null)
  return {
    [`workerd_cpu_ms_per_${unit}`]: per(t.workerd),
    [`runtime_cpu_ms_per_${unit}`]: per(t.runtime),
    [`proxy_cpu_ms_per_${unit}`]: per(t.proxy),
    [`client_cpu_ms_per_${unit}`]: per(t.client),
  }
}

/**
 * Wait until the consumer has stored `expected` batches in all (or `timeoutS` passed), then
 * SETTLE_MS for the outbox acknowledgements it sends after its log line.
 */
async function drained(c: Collector, expected: number, timeoutS = 30): Promise<number> {
  const t0 = performance.now()
  while (storedFromLogs(c.logs()) < expected && performance.now() - t0 < timeoutS * 1000)
    await new Promise((r) => setTimeout(r, 25))
  const s = (performance.now() - t0) / 1000
  await new Promise((r) => setTimeout(r, SETTLE_MS))
  return s
}

const SETTLE_MS = 250

export async function runRounds(
  c: Collector,
  agents: SimAgent[],
  o: RoundsOptions,
): Promise<RoundsOutcome> {
  const nextSeq = agents.map(() => 1)
  const samples: BatchSample[] = []
  const accepted = new Set<string>()

  /**
   * One ingest window: every agent sends flat out until the deadline, continuing its seq. Counts
   * the batches accepted after `rampS` seconds, over the time from then to the last answer.
   */
  const window = async (seconds: number, rampS = 0) => {
    const deadline = Date.now() + (rampS + seconds) * 1000
    const t0 = performance.now()
    const answeredAt = new Map<BatchSample, number>()
    const perAgent = await Promise.all(
      agents.map((agent, i) =>
        sendSimBatches({
          collector: c.url,
          agent,
          batches: Number.MAX_SAFE_INTEGER,
          deadline,
          firstSeq: nextSeq[i],
          metricsPerBatch: o.metricsPerBatch,
          location: o.location(i),
          onSample: (sample) => answeredAt.set(sample, (performance.now() - t0) / 1000),
        }),
      ),
    )
    const loadS = (performance.now() - t0) / 1000 - rampS
    const ids = new Set<string>()
    const timed = new Set<string>()
    perAgent.forEach((list, i) => {
      for (const s of list) {
        nextSeq[i] = Math.max(nextSeq[i]!, s.seq + 1)
        if (!((s.status === 202 || s.status === 200) && s.batchId && !s.error)) continue
        ids.add(s.batchId)
        if (answeredAt.get(s)! >= rampS) timed.add(s.batchId)
      }
      samples.push(...list)
    })
    for (const id of ids) accepted.add(id)
    return { ids, timed, loadS }
  }

  await runHealthz(c.url, agents.length, WARMUP_HEALTHZ_S)
  await window(WARMUP_INGEST_S)
  await drained(c, accepted.size)
  o.log(
    `rounds: warm-up done (${accepted.size} batches), ${o.rounds} rounds of ${ROUND_S} s + ${ROUND_S} s`,
  )

  const out: RoundsOutcome = {
    samples,
    timedIds: new Set(),
    timedLoadS: 0,
    rounds: [],
    healthzCpu: zeroCpu(),
    ingestCpu: zeroCpu(),
    healthzRequests: 0,
    healthzSeconds: 0,
    healthzErrors: 0,
    healthzLatencies: [],
  }
  for (let r = 0; r < o.rounds; r++) {
    const h = await runHealthz(c.url, agents.length, ROUND_S, c.processGroup, out.healthzLatencies)
    out.healthzErrors += h.errors as number
    const requests = h.n
    addCpu(out.healthzCpu, h, 'request', requests, requests)
    out.healthzRequests += requests
    out.healthzSeconds += h.duration_s as number
    // From the first POST of the window until the consumer stored the window's last batch.
    const cpu = cpuMeter(c.processGroup, c.url)
    const w = await window(ROUND_S, RAMP_S)
    const drainS = await drained(c, accepted.size)
    // per('window', 1): the window's totals, ramp included, over all of its batches.
    addCpu(out.ingestCpu, cpu.per('window', 1), 'window', 1, w.ids.size)
    for (const id of w.timed) out.timedIds.add(id)
    out.timedLoadS += w.loadS
    const healthzRate = h.throughput_per_s as number
    const ingestRate = w.timed.size / w.loadS
    out.rounds.push({
      healthz_per_s: Math.round(healthzRate * 10) / 10,
      ingest_per_s: Math.round(ingestRate * 10) / 10,
      ratio: round3(ingestRate / healthzRate),
    })
    o.log(
      `round ${r + 1}: healthz ${healthzRate}/s, ingest ${ingestRate.toFixed(1)}/s, ratio ${(ingestRate / healthzRate).toFixed(3)} (drained in ${drainS.toFixed(2)} s)`,
    )
  }
  return out
}
