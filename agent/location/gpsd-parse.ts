/**
 * Decode one line of gpsd's JSON protocol (gpsd_json(5), protocol 3.x) into what the agent needs:
 *  - TPV with mode 2/3, finite lat/lon and a `time`: a fix. accuracyM is `eph` (gpsd's
 *    horizontal error estimate, ~95%), else hypot(epx, epy), else 100 m.
 *  - TPV with mode 0/1: no fix.
 *  - TPV with mode 2/3 but no time (gpsd reports GGA positions before the date is known): not yet
 *    a fix, and not a loss of one.
 *  - VERSION (sent on connect), anything else: passed through by class; unparseable lines: invalid.
 * Leaves out SKY/GST/ATT/AIS content and the `device` filter (the first device wins).
 */
import { UNKNOWN_ACCURACY_M, type Fix } from './fix.ts'

export type GpsdMessage =
  | { kind: 'fix'; fix: Fix; device: string | undefined }
  | { kind: 'no-fix'; device: string | undefined }
  | { kind: 'incomplete'; device: string | undefined }
  | { kind: 'version'; release: string; protoMajor: number }
  | { kind: 'other'; class: string }
  | { kind: 'invalid' }

export function parseGpsdLine(line: string): GpsdMessage {
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch {
    return { kind: 'invalid' }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { kind: 'invalid' }
  const o = v as Record<string, unknown>
  if (typeof o.class !== 'string') return { kind: 'invalid' }
  if (o.class === 'VERSION') {
    return {
      kind: 'version',
      release: typeof o.release === 'string' ? o.release : String(o.version ?? ''),
      protoMajor: typeof o.proto_major === 'number' ? o.proto_major : 0,
    }
  }
  if (o.class !== 'TPV') return { kind: 'other', class: o.class }
  const device = typeof o.device === 'string' ? o.device : undefined
  const mode = typeof o.mode === 'number' ? o.mode : 0
  if (mode < 2) return { kind: 'no-fix', device }
  const lat = finite(o.lat)
  const lon = finite(o.lon)
  const t = typeof o.time === 'string' ? Date.parse(o.time) : NaN
  if (
    lat === undefined ||
    lon === undefined ||
    Math.abs(lat) > 90 ||
    Math.abs(lon) > 180 ||
    !Number.isFinite(t)
  ) {
    return { kind: 'incomplete', device }
  }
  const eph = finite(o.eph)
  const epx = finite(o.epx)
  const epy = finite(o.epy)
  const accuracyM =
    eph !== undefined && eph >= 0
      ? eph
      : epx !== undefined && epy !== undefined
        ? Math.round(Math.hypot(epx, epy) * 1000) / 1000
        : UNKNOWN_ACCURACY_M
  return { kind: 'fix', fix: { lat, lon, accuracyM, fixTime: t }, device }
}

function finite(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined
}
