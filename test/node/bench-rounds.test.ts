/**
 * The ingest bench's rounds (bench/ingest/rounds.ts): how it reads the consumer's progress from the
 * collector's log, and how the rounds' ratios become the reported ratio (median, spread, pooled),
 * and the CPU totals become per-unit figures.
 */
import { describe, expect, it } from 'vitest'
import { cpuPer, storedFromLogs, summarizeRounds } from '../../bench/ingest/rounds.ts'

const line = (n: number, agents = 3) =>
  `sync: stored ${n} batches of ${agents} agents: 1 R2 put, 1 log append, 1 D1 batch, rows ${n * 3}, ` +
  `rows_written ${n * 6}, pack_bytes 1000, db_bytes 2000 in 7 ms`

describe('bench rounds', () => {
  it("sums the consumer's stored-pack lines and nothing else", () => {
    const logs = [
      '[wrangler:info] Ready on http://127.0.0.1:8787',
      line(97),
      'storing batches of abc failed, retrying',
      line(3, 1),
      'sync: stored nothing', // not a pack line
      line(100, 16),
    ].join('\n')
    expect(storedFromLogs(logs)).toBe(200)
    expect(storedFromLogs('')).toBe(0)
  })

  it('reports the median of the rounds, their spread and the pooled ratio', () => {
    const rounds = [
      { healthz_per_s: 400, ingest_per_s: 200, ratio: 0.5 },
      { healthz_per_s: 300, ingest_per_s: 180, ratio: 0.6 },
      { healthz_per_s: 500, ingest_per_s: 200, ratio: 0.4 },
    ]
    // 580 batches in 15 s of load against 6,000 requests in 15 s.
    const s = summarizeRounds(rounds, { batches: 580, loadS: 15, requests: 6000, healthzS: 15 })
    expect(s.ratio_median).toBe(0.5)
    expect(s.ratio_min).toBe(0.4)
    expect(s.ratio_max).toBe(0.6)
    expect(s.ratio_pooled).toBeCloseTo(580 / 15 / (6000 / 15), 3)
    expect(s.ingest_per_s).toBe(38.7)
    expect(s.healthz_per_s).toBe(400)
    // An even count: the mean of the two middle ratios.
    const even = summarizeRounds([...rounds, { healthz_per_s: 1, ingest_per_s: 1, ratio: 0.7 }], {
      batches: 1,
      loadS: 1,
      requests: 1,
      healthzS: 1,
    })
    expect(even.ratio_median).toBe(0.55)
    expect(() => summarizeRounds([], { batches: 1, loadS: 1, requests: 1, healthzS: 1 })).toThrow()
  })

  it('turns CPU totals into per-unit figures, and none without work', () => {
    const t = { runtime: 30, proxy: 20, client: 10, workerd: 50, n: 20 }
    expect(cpuPer(t, 'batch')).toEqual({
      workerd_cpu_ms_per_batch: 2.5,
      runtime_cpu_ms_per_batch: 1.5,
      proxy_cpu_ms_per_batch: 1,
      client_cpu_ms_per_batch: 0.5,
    })
    expect(cpuPer({ ...t, n: 0 }, 'request').runtime_cpu_ms_per_request).toBeNull()
  })
})
