/**
 * Values by unit, as the agent reports them (UCUM-style codes, agent/metrics/collect-host.ts):
 * `By` bytes in IEC units (KiB, MiB, GiB, TiB), `%` as a percentage, `s` as a duration (s, min,
 * h, d), anything else (or none) as a compact number with the unit after it. Used for the y axis
 * and its label, so a chart of memory.total reads "7.6 GiB", not "8.2e9".
 */
const COMPACT = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 2 })
const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

export function unitLabel(unit: string | null | undefined): string {
  if (!unit) return ''
  return { By: 'bytes', '%': '%', s: 'time', ms: 'time' }[unit] ?? unit
}

export function formatValue(v: number | null | undefined, unit: string | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  switch (unit) {
    case 'By': {
      let x = Math.abs(v)
      let i = 0
      while (x >= 1024 && i < IEC.length - 1) {
        x /= 1024
        i++
      }
      const digits = i === 0 || x >= 100 ? 0 : x >= 10 ? 1 : 2
      return `${v < 0 ? '-' : ''}${x.toFixed(digits)} ${IEC[i]}`
    }
    case '%':
      return `${Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(1)} %`
    case 's':
    case 'ms':
      return duration(unit === 'ms' ? v / 1000 : v)
    default:
      return unit ? `${COMPACT.format(v)} ${unit}` : COMPACT.format(v)
  }
}

function duration(s: number): string {
  const a = Math.abs(s)
  if (a < 1) return `${(s * 1000).toFixed(0)} ms`
  if (a < 120) return `${s.toFixed(a < 10 ? 1 : 0)} s`
  if (a < 7200) return `${(s / 60).toFixed(0)} min`
  if (a < 172_800) return `${(s / 3600).toFixed(1)} h`
  return `${(s / 86400).toFixed(1)} d`
}
