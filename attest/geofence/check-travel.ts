/**
 * Impossible travel (DESIGN.md "Proof of Geofencing"): the distance between two fixes beyond both
 * accuracy radii, over the time between them, must not exceed a plausible speed. A fix older than
 * the previous one cannot be new; no time with a real gap is infinite speed.
 */
import { AegisError } from '../errors.ts'
import { haversineM } from './distance.ts'
import type { PastFix } from './types.ts'

export function impliedSpeedMps(last: PastFix, fix: PastFix): number {
  const dtS = (fix.fixTime - last.fixTime) / 1000
  const gapM = haversineM(last, fix) - fix.accuracyM - last.accuracyM
  return dtS < 0 ? Infinity : gapM <= 0 ? 0 : dtS === 0 ? Infinity : gapM / dtS
}

export function checkTravel(last: PastFix, fix: PastFix, maxSpeedMps: number): void {
  const speed = impliedSpeedMps(last, fix)
  if (speed > maxSpeedMps) {
    // Distance and time as well as the speed (JSON has no Infinity: a zero or negative interval
    // reports speedMps null), so the audit trail can show km and km/h.
    throw new AegisError('ERR_GEO_IMPOSSIBLE_TRAVEL', 'implied travel speed is not plausible', {
      detail: {
        speedMps: Number.isFinite(speed) ? speed : null,
        maxSpeedMps,
        distanceM: Math.round(haversineM(last, fix)),
        elapsedS: (fix.fixTime - last.fixTime) / 1000,
        from: { lat: last.lat, lon: last.lon },
        to: { lat: fix.lat, lon: fix.lon },
      },
    })
  }
}
