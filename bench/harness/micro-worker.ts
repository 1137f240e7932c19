/**
 * The worker that runs micro benchmark cases inside workerd (bench/run.ts generates an entry that
 * imports every bench/cases/*.ts and hands their cases to serveCases). GET /cases lists them;
 * GET /run?name=X runs one case: setup once, `warmup` untimed iterations, then about `iterations`
 * timed with performance.now(), and answers the raw samples (ms); statistics are computed by the
 * caller. Local workerd's clock advances during CPU work (unlike Cloudflare's, which moves only on
 * I/O) but in whole milliseconds (/clock reports it), so iterations shorter than BATCH_TARGET_MS
 * are timed in batches and each sample is a batch mean: p99 then describes batch means, not the
 * tail of single iterations.
 * Runtime neutral (no node:*): it is bundled for workerd.
 */
import type { BenchCase } from '../types.ts'

export interface MicroRunResult {
  name: string
  /** Timed iterations: samples x batchSize. */
  n: number
  warmup: number
  setupMs: number
  /** Iterations per timed sample (1 = each iteration timed on its own). */
  batchSize: number
  /** Per-iteration time of each sample (ms): a batch's elapsed time / batchSize. */
  samples: number[]
}

const DEFAULT_ITERATIONS = 100
/**
 * workerd's performance.now() is Date.now(): whole milliseconds. A sample shorter than a few ms
 * would be mostly rounding, so faster cases are timed in batches of at least this long and each
 * sample is the batch mean (error at most 1 ms / BATCH_TARGET_MS).
 */
const BATCH_TARGET_MS = 10
const MIN_SAMPLES = 30

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof (x as { then?: unknown } | null)?.then === 'function'
}

async function runCase(c: BenchCase, iterationsOverride?: number): Promise<MicroRunResult> {
  const s0 = performance.now()
  const ctx = await c.setup()
  const setupMs = performance.now() - s0
  const warmup = c.warmup ?? 0
  const wanted = iterationsOverride ?? c.iterations ?? DEFAULT_ITERATIONS
  // Results are kept so the work cannot be optimised away, and checked so a case that silently
  // stopped doing its job (returns undefined / false) is noticed.
  let last: unknown
  // Awaits only what is asynchronous, so synchronous cases pay no promise overhead per call.
  const step = (): PromiseLike<unknown> | undefined => {
    const r = c.run(ctx)
    if (isThenable(r)) return r.then((v) => void (last = v))
    last = r
    return undefined
  }
  for (let i = 0; i < warmup; i++) await step()
  // Calibrate: how many iterations fit in BATCH_TARGET_MS, in the least disturbed of 5 rounds
  // (a round that lost the CPU to another process undercounts; none overcounts).
  let batchSize = 1
  for (let round = 0; round < 5; round++) {
    let calls = 0
    const c0 = performance.now()
    do {
      await step()
      calls++
    } while (performance.now() - c0 < BATCH_TARGET_MS && calls < 100_000)
    batchSize = Math.max(batchSize, calls)
  }
  const count = Math.max(MIN_SAMPLES, Math.ceil(wanted / batchSize))
  const samples = new Array<number>(count)
  for (let i = 0; i < count; i++) {
    const t0 = performance.now()
    for (let j = 0; j < batchSize; j++) {
      const p = step()
      if (p) await p
    }
    samples[i] = (performance.now() - t0) / batchSize
  }
  if (last === undefined || last === false) {
    throw new Error(`case ${c.name} returned ${String(last)}: it no longer verifies what it times`)
  }
  return { name: c.name, n: count * batchSize, warmup, setupMs, batchSize, samples }
}

/** Smallest non-zero step of performance.now(), found by spinning. */
function clockResolution(): { resolutionMs: number; advancesDuringCpu: boolean } {
  let min = Infinity
  for (let k = 0; k < 20; k++) {
    const a = performance.now()
    let b = a
    for (let i = 0; b === a && i < 1e7; i++) b = performance.now()
    if (b > a) min = Math.min(min, b - a)
  }
  return { resolutionMs: min, advancesDuringCpu: Number.isFinite(min) }
}

export function serveCases(lists: BenchCase[][]): { fetch(req: Request): Promise<Response> } {
  const all = lists.flat()
  const byName = new Map(all.map((c) => [c.name, c]))
  if (byName.size !== all.length) throw new Error('two bench cases share a name')
  return {
    async fetch(req) {
      const url = new URL(req.url)
      if (url.pathname === '/cases') {
        return Response.json(
          all.map((c) => ({ name: c.name, iterations: c.iterations ?? DEFAULT_ITERATIONS })),
        )
      }
      if (url.pathname === '/clock') return Response.json(clockResolution())
      if (url.pathname === '/run') {
        const c = byName.get(url.searchParams.get('name') ?? '')
        if (!c) return Response.json({ error: 'no such case' }, { status: 404 })
        const it = url.searchParams.get('iterations')
        try {
          return Response.json(await runCase(c, it ? Number(it) : undefined))
        } catch (e) {
          return Response.json(
            { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) },
            { status: 500 },
          )
        }
      }
      return Response.json({ error: 'not found' }, { status: 404 })
    },
  }
}
