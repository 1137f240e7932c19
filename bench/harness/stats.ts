/**
 * Summary statistics of timing samples (ms): median, p99 and friends. Percentiles use the
 * nearest-rank method (the smallest sample with at least p% of samples at or below it), so every
 * reported figure is a time that was actually measured. Leaves out confidence intervals.
 */
export interface Summary {
  n: number
  median_ms: number
  p99_ms: number
  mean_ms: number
  min_ms: number
  max_ms: number
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

const round = (x: number) => Math.round(x * 1000) / 1000

export function summarize(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b)
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1)
  return {
    n: s.length,
    median_ms: round(percentile(s, 50)),
    p99_ms: round(percentile(s, 99)),
    mean_ms: round(mean),
    min_ms: round(s[0] ?? NaN),
    max_ms: round(s.at(-1) ?? NaN),
  }
}
