/**
 * Shapes GET /v1/aggregates points into chart columns: one x column (bucket start, seconds) and
 * one y column per agent or per zone, with a chosen statistic. Combining agents into a zone
 * keeps the statistic exact (avg = Σsum / Σcount, not a mean of means). Buckets a group has no
 * data for are null, so the chart shows a gap rather than a zero.
 */
import type { AggregatePoint } from '../api/types.ts'

export type Stat = 'avg' | 'min' | 'max' | 'sum' | 'count'
export type GroupBy = 'agent' | 'zone'

export interface Columns {
  xs: number[]
  groups: string[]
  ys: (number | null)[][]
}

interface Acc {
  count: number
  sum: number
  min: number
  max: number
}

export function toColumns(points: AggregatePoint[], groupBy: GroupBy, stat: Stat): Columns {
  const xsSet = new Set<number>()
  const cells = new Map<string, Map<number, Acc>>()
  for (const p of points) {
    const x = Math.floor(Date.parse(p.t) / 1000)
    xsSet.add(x)
    const g = groupBy === 'agent' ? p.agentId : (p.zone ?? '(no zone)')
    let row = cells.get(g)
    if (!row) cells.set(g, (row = new Map()))
    const a = row.get(x)
    if (!a) row.set(x, { count: p.count, sum: p.sum, min: p.min, max: p.max })
    else {
      a.count += p.count
      a.sum += p.sum
      a.min = Math.min(a.min, p.min)
      a.max = Math.max(a.max, p.max)
    }
  }
  const xs = [...xsSet].sort((a, b) => a - b)
  const groups = [...cells.keys()].sort()
  const ys = groups.map((g) => {
    const row = cells.get(g)!
    return xs.map((x) => {
      const a = row.get(x)
      if (!a) return null
      return stat === 'avg' ? a.sum / a.count : a[stat]
    })
  })
  return { xs, groups, ys }
}

/** A bucket size (whole minutes, as the API requires) giving at most `maxBuckets` buckets. */
export function autoStep(fromMs: number, toMs: number, maxBuckets = 240): string {
  const steps: [number, string][] = [
    [1, '1m'],
    [5, '5m'],
    [15, '15m'],
    [60, '1h'],
    [360, '6h'],
    [1440, '1d'],
    [10080, '7d'],
  ]
  const minutes = Math.max(1, (toMs - fromMs) / 60_000)
  for (const [m, s] of steps) if (minutes / m <= maxBuckets) return s
  return '7d'
}
