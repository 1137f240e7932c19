/**
 * `platform.healthz`: the ceiling of the local stack for a trivial request, measured against the
 * same collector the ingest run then loads (same `wrangler dev`, same settings, same process), with
 * as many concurrent clients as there are agents. `GET /healthz` does no I/O, so its requests/s is
 * what the dev proxy, workerd's request handling and the Node client cost together; the ingest
 * throughput divided by it says how many trivial requests one batch costs.
 * The ingest bench runs it between its ingest windows (rounds.ts), or, for a fixed count of
 * batches and the soak, before the agents enroll and again after sync, reporting the mean.
 * Leaves out keep-alive tuning: both runs use Node's default fetch agent.
 */
import { workerdCpuMs, workerdCpuMsByRole, type WorkerdRole } from '../harness/process-rss.ts'
import { summarize } from '../harness/stats.ts'
import type { BenchEntry } from './run-ingest.ts'

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d

export async function runHealthz(
  url: string,
  clients: number,
  durationS: number,
  processGroup?: number,
  /** Receives every request's latency too (ms), for a caller that pools several windows. */
  collect?: number[],
): Promise<BenchEntry> {
  const samples: number[] = []
  let errors = 0
  const until = Date.now() + durationS * 1000
  const cpu = cpuMeter(processGroup, url)
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) {
        const t = performance.now()
        try {
          const res = await fetch(`${url}/healthz`)
          await res.arrayBuffer()
          if (res.ok) samples.push(performance.now() - t)
          else errors++
        } catch {
          errors++
        }
      }
    }),
  )
  const seconds = (performance.now() - t0) / 1000
  collect?.push(...samples)
  return {
    name: 'platform.healthz',
    kind: 'load',
    ...summarize(samples),
    throughput_per_s: round(samples.length / seconds),
    duration_s: round(seconds, 2),
    clients,
    errors,
    ...cpu.per('request', samples.length),
  }
}

/**
 * CPU used from now until `per()`: the collector's workerd processes (with the dev proxy) and this
 * Node process (the load generator), per unit of work. Unlike a rate, this holds when other
 * processes take the machine's cores, so it compares runs on a shared machine.
 */
export function cpuMeter(processGroup: number | undefined, url?: string) {
  const port = url === undefined ? undefined : Number(new URL(url).port)
  const byRole = () =>
    processGroup === undefined || port === undefined ? null : workerdCpuMsByRole(processGroup, port)
  const workerd0 = processGroup === undefined ? null : workerdCpuMs(processGroup)
  const role0 = byRole()
  const node0 = process.cpuUsage()
  return {
    per(unit: string, n: number): Record<string, number | null> {
      const w1 = processGroup === undefined ? null : workerdCpuMs(processGroup)
      const role1 = byRole()
      const node = process.cpuUsage(node0)
      const perRole = (r: WorkerdRole) =>
        role0 === null || role1 === null || n === 0 ? null : round((role1[r] - role0[r]) / n, 3)
      return {
        [`workerd_cpu_ms_per_${unit}`]:
          workerd0 === null || w1 === null || n === 0 ? null : round((w1 - workerd0) / n, 3),
        // The collector's process alone, and wrangler's dev proxy (development only).
        [`runtime_cpu_ms_per_${unit}`]: perRole('runtime'),
        [`proxy_cpu_ms_per_${unit}`]: perRole('proxy'),
        [`client_cpu_ms_per_${unit}`]:
          n === 0 ? null : round((node.user + node.system) / 1000 / n, 3),
      }
    },
  }
}

/** Two runs (before and after the ingest load) as one entry: the mean rate, both runs kept. */
export function combineHealthz(before: BenchEntry, after: BenchEntry): BenchEntry {
  const rate = (e: BenchEntry) => e.throughput_per_s as number
  const mean = (k: string) => {
    const [a, b] = [before[k], after[k]]
    return typeof a === 'number' && typeof b === 'number' ? round((a + b) / 2, 3) : null
  }
  return {
    ...after,
    throughput_per_s: round((rate(before) + rate(after)) / 2),
    before_per_s: rate(before),
    after_per_s: rate(after),
    workerd_cpu_ms_per_request: mean('workerd_cpu_ms_per_request'),
    runtime_cpu_ms_per_request: mean('runtime_cpu_ms_per_request'),
    proxy_cpu_ms_per_request: mean('proxy_cpu_ms_per_request'),
    client_cpu_ms_per_request: mean('client_cpu_ms_per_request'),
    errors: (before.errors as number) + (after.errors as number),
  }
}
