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
    throw new AegisError('ERR_GEO_IMPOSSIBLE_TRAVEL', 'implied travel speed is not plausible', {
      detail: { speedMps: speed, maxSpeedMps },
    })
  }
}
