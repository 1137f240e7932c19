/**
 * What a geofence decision's detail means, in words and units a person reads: the fix, the
 * nearest zone and the distance to it for ERR_GEO_OUTSIDE, the accuracy for ERR_GEO_ACCURACY,
 * distance, time and speed (km, km/h) for ERR_GEO_IMPOSSIBLE_TRAVEL, the fix age for
 * ERR_GEO_STALE_FIX. The members are those attest/geofence puts in the error detail; a decision
 * recorded before they existed (or another code) gives no rows, and the raw detail still shows.
 */
export type Row = [label: string, value: string]

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined

export function fmtDistance(m: number): string {
  return m >= 10_000
    ? `${(m / 1000).toFixed(0)} km`
    : m >= 1000
      ? `${(m / 1000).toFixed(1)} km`
      : `${Math.round(m)} m`
}

function fmtFix(f: unknown): string | undefined {
  if (!isObj(f)) return undefined
  const lat = num(f.lat)
  const lon = num(f.lon)
  if (lat === undefined || lon === undefined) return undefined
  const acc = num(f.accuracyM)
  return `${lat.toFixed(5)}, ${lon.toFixed(5)}${acc === undefined ? '' : ` (±${fmtDistance(acc)})`}`
}

const kmh = (mps: number) => `${Math.round(mps * 3.6).toLocaleString('en-US')} km/h`

export function geoDetailRows(code: string | null, detail: unknown): Row[] {
  if (!isObj(detail)) return []
  const rows: Row[] = []
  const fix = fmtFix(detail.fix)
  switch (code) {
    case 'ERR_GEO_OUTSIDE': {
      if (fix) rows.push(['Reported fix', fix])
      const n = detail.nearest
      if (isObj(n) && typeof n.zone === 'string' && num(n.distanceM) !== undefined) {
        rows.push(['Nearest zone', n.zone], ['Distance to it', fmtDistance(num(n.distanceM)!)])
      }
      break
    }
    case 'ERR_GEO_ACCURACY': {
      if (fix) rows.push(['Reported fix', fix])
      const b = num(detail.boundaryDistanceM)
      if (b !== undefined) rows.push(['Centre to zone edge', fmtDistance(b)])
      break
    }
    case 'ERR_GEO_IMPOSSIBLE_TRAVEL': {
      const d = num(detail.distanceM)
      const t = num(detail.elapsedS)
      const v = num(detail.speedMps)
      const max = num(detail.maxSpeedMps)
      const from = fmtFix(detail.from)
      const to = fmtFix(detail.to)
      if (from && to) rows.push(['From → to', `${from} → ${to}`])
      if (d !== undefined) rows.push(['Distance', fmtDistance(d)])
      if (t !== undefined) rows.push(['Time between fixes', `${t} s`])
      rows.push([
        'Implied speed',
        v === undefined ? 'not finite (no time between the fixes)' : kmh(v),
      ])
      if (max !== undefined) rows.push(['Policy limit', kmh(max)])
      break
    }
    case 'ERR_GEO_STALE_FIX': {
      const age = num(detail.ageMs)
      const max = num(detail.maxFixAgeMs)
      if (age !== undefined) rows.push(['Fix age', `${(age / 1000).toFixed(0)} s`])
      if (max !== undefined) rows.push(['Policy limit', `${(max / 1000).toFixed(0)} s`])
      break
    }
  }
  return rows
}
