/**
 * Turn a stream of NMEA sentences into fixes, the way gpsd merges an epoch: position from GGA
 * (or RMC), validity from GGA quality / RMC status / GSA mode, the date from RMC or ZDA, the
 * error estimate from GST when present, else from HDOP.
 *  - No date, no fix: GGA carries only a time of day, so a GGA position counts once an RMC or
 *    ZDA has given the date (gpsd does the same). A recorded log thus keeps its recorded time and
 *    is seen as stale, never as a fresh fix.
 *  - accuracyM: 2DRMS = 2 * sqrt(sigmaLat^2 + sigmaLon^2) from GST (about 95%); without GST,
 *    HDOP * 19 m (4.75 m with DGPS), gpsd's `eph` error model (P_UERE, 95%); with neither, 100 m.
 *  - A no-fix report (GGA quality 0, RMC status V or mode N, GSA mode 1) clears the fix at once.
 * Leaves out fix plausibility (the collector judges travel speed) and multi-receiver merging.
 */
import { UNKNOWN_ACCURACY_M, type Fix } from './fix.ts'
import { parseNmeaLine, type NmeaDate, type NmeaParse, type TimeOfDay } from './nmea-parse.ts'

const UERE_M = 19
const UERE_DGPS_M = 4.75
const DAY_MS = 86_400_000

export interface NmeaStats {
  sentences: number
  badChecksum: number
  malformed: number
}

export class NmeaFixTracker {
  private fix: Fix | undefined
  private date: { date: NmeaDate; tod: number } | undefined
  private hdop: { value: number; dgps: boolean } | undefined
  private gst: { tod: number; accuracyM: number } | undefined
  /** The epoch (time of day) the current fix was built from; later sentences of it refine it. */
  private epochTod: number | undefined
  readonly stats: NmeaStats = { sentences: 0, badChecksum: 0, malformed: 0 }

  /** Feed one line; returns the parse result (useful for logging rejects). */
  feed(line: string): NmeaParse {
    const r = parseNmeaLine(line)
    if (!r.ok) {
      if (r.reason === 'checksum' || r.reason === 'no-checksum') this.stats.badChecksum++
      else if (r.reason === 'malformed') this.stats.malformed++
      return r
    }
    this.stats.sentences++
    const s = r.sentence
    switch (s.type) {
      case 'GGA':
        if (s.quality === 0) return this.noFix(r)
        if (s.hdop !== undefined) this.hdop = { value: s.hdop, dgps: s.quality === 2 }
        if (s.lat !== undefined && s.lon !== undefined && s.time)
          this.position(s.lat, s.lon, s.time)
        break
      case 'RMC':
        if (s.date && s.time) this.date = { date: s.date, tod: s.time.ms }
        if (!s.valid) return this.noFix(r)
        if (s.lat !== undefined && s.lon !== undefined && s.time)
          this.position(s.lat, s.lon, s.time)
        break
      case 'GSA':
        if (s.mode === 1) return this.noFix(r)
        if (s.hdop !== undefined) this.hdop = { value: s.hdop, dgps: this.hdop?.dgps ?? false }
        break
      case 'GST':
        if (s.time && s.sigmaLat !== undefined && s.sigmaLon !== undefined) {
          this.gst = { tod: s.time.ms, accuracyM: round(2 * Math.hypot(s.sigmaLat, s.sigmaLon)) }
          if (this.fix && this.epochTod === s.time.ms)
            this.fix = { ...this.fix, accuracyM: this.gst.accuracyM }
        }
        break
      case 'ZDA':
        if (s.date && s.time) this.date = { date: s.date, tod: s.time.ms }
        break
      case 'other':
        break
    }
    return r
  }

  /** The newest fix (not judged for age here), or undefined after a no-fix report. */
  latest(): Fix | undefined {
    return this.fix
  }

  private noFix(r: NmeaParse): NmeaParse {
    this.fix = undefined
    this.epochTod = undefined
    return r
  }

  private position(lat: number, lon: number, time: TimeOfDay): void {
    const fixTime = this.timeOf(time)
    if (fixTime === undefined) return
    const accuracyM =
      this.gst?.tod === time.ms
        ? this.gst.accuracyM
        : this.hdop
          ? round(this.hdop.value * (this.hdop.dgps ? UERE_DGPS_M : UERE_M))
          : UNKNOWN_ACCURACY_M
    this.fix = { lat, lon, accuracyM, fixTime }
    this.epochTod = time.ms
  }

  /** Time of day + the last known date, rolling over midnight when the time wraps. */
  private timeOf(time: TimeOfDay): number | undefined {
    if (!this.date) return undefined
    const { date, tod } = this.date
    let day = Date.UTC(date.year, date.month - 1, date.day)
    if (time.ms < tod - DAY_MS / 2) day += DAY_MS
    else if (time.ms > tod + DAY_MS / 2) day -= DAY_MS
    return day + time.ms
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}
