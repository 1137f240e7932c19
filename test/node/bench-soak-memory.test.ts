/**
 * The soak's memory figures (bench/ingest/soak.ts): growth measured from the end of the warm-up,
 * the collector's process apart from wrangler's dev proxy, and the live JavaScript heap after full
 * GCs read from V8's --trace-gc lines in the collector's log (only the runtime process's, only
 * after the warm-up).
 */
import { describe, expect, it } from 'vitest'
import {
  liveHeapFigures,
  parseFullGcs,
  rssFigures,
  type RssSample,
} from '../../bench/ingest/soak.ts'

const MB = 2 ** 20

// Lines as workerd prints them with --trace-gc --trace-gc-ignore-scavenger (seen on this machine).
const gc = (pid: number, iso: string, live: number, committed: number, reduce = false) =>
  `[${pid}:${iso}]    45570 ms: Mark-Compact ${reduce ? '(reduce) ' : ''}53.8 (85.1) -> ${live} (${committed}) MB, ` +
  `pooled: 1.5 MB, 202.01 / 0.00 ms (average mu = 0.996, current mu = 0.996) allocation limit; GC in old space requested\n`

describe('soak memory figures', () => {
  it('reads full GCs (reduce ones too) and nothing else from the log', () => {
    const log =
      '[wrangler:info] POST /v1/batches 202 Accepted (12ms)\n' +
      gc(9830, '0x72a8ffcb8000', 7.2, 80.7) +
      '[9830:0x72a8ffcb8000]    46000 ms: Scavenge 9.1 (12.0) -> 8.0 (12.0) MB, 1.2 / 0.00 ms\n' +
      gc(9821, '0x1f00', 3.5, 20.1, true)
    const gcs = parseFullGcs(log)
    expect(gcs.map((g) => [g.pid, g.isolate, g.liveMb, g.committedMb])).toEqual([
      [9830, '0x72a8ffcb8000', 7.2, 80.7],
      [9821, '0x1f00', 3.5, 20.1],
    ])
    expect(log.slice(gcs[1]!.at).startsWith('[9821:0x1f00]')).toBe(true)
  })

  it("measures growth from the end of the warm-up, the runtime's as the criterion", () => {
    const s = (seconds: number, runtime: number, proxy: number): RssSample => ({
      t: seconds * 1000,
      runtime: runtime * MB,
      proxy: proxy * MB,
      logAt: 0,
      runtimePids: [1],
    })
    // The runtime ramps for the first 300 s, then holds; the proxy keeps growing.
    const rss = [
      s(0, 200, 200),
      s(60, 600, 400),
      s(300, 900, 450),
      s(600, 950, 500),
      s(900, 990, 600),
    ]
    const f = rssFigures(rss, 1000, 300_000, '')
    expect(f.warmup_s).toBe(300)
    expect(f.rss_by_process.runtime).toEqual({ after_warmup: 900, end: 990, growth_pct: 10 })
    expect(f.rss_growth_pct).toBe(10)
    expect(f.rss_by_process.proxy?.growth_pct).toBe(33.3)
    expect(f.rss_growth_pct_both_processes).toBe(17.8)
    expect(f.rss_mb).toEqual({ after_warmup: 1350, end: 1590, max: 1590 })
    // Without a warm-up the ramp counts: the old reading of the same curve.
    expect(rssFigures(rss, 1000, 0, '').rss_growth_pct).toBe(395)
    expect(f.rss_curve_mb.map((p) => p.s)).toEqual([0, 60, 300, 600, 900])
  })

  it("follows each runtime isolate's live heap after the warm-up, not the proxy's", () => {
    let log = ''
    const samples: RssSample[] = []
    const at = (seconds: number) =>
      samples.push({
        t: seconds * 1000,
        runtime: MB,
        proxy: MB,
        logAt: log.length,
        runtimePids: [7],
      })
    at(0)
    log += gc(7, '0xa', 30, 90) // during the warm-up: left out
    at(100)
    log += gc(7, '0xa', 7.2, 85) + gc(7, '0xb', 2, 10) + gc(8, '0xp', 50, 60)
    log += gc(7, '0xa', 7.9, 86) + gc(7, '0xb', 2.2, 11) + gc(8, '0xp', 90, 100)
    log += gc(7, '0xc', 1, 5) // one GC only: no series
    at(200)
    const f = liveHeapFigures(samples, parseFullGcs(log), 100_000)
    expect(f).not.toBeNull()
    expect(f!.isolates).toBe(2)
    expect(f!.full_gcs).toBe(4)
    expect(f!.after_warmup).toBe(9.2)
    expect(f!.end).toBe(10.1)
    expect(f!.growth_pct).toBe(9.8)
    expect(f!.busiest_isolate).toEqual({
      full_gcs: 2,
      after_warmup: 7.2,
      end: 7.9,
      max: 7.9,
      growth_pct: 9.7,
      committed_mb_end: 86,
    })
    // A leak in the busiest isolate shows whatever the allocator keeps.
    const leak = log + gc(7, '0xa', 15, 90)
    expect(liveHeapFigures(samples, parseFullGcs(leak), 100_000)!.busiest_isolate.growth_pct).toBe(
      108.3,
    )
    expect(liveHeapFigures(samples, [], 100_000)).toBeNull()
  })
})
