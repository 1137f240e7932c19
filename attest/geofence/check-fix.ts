/**
 * The geofence decision for one location fix (DESIGN.md "Proof of Geofencing"): the fix comes from
 * the enrolled sensor, is fresh, its accuracy circle lies inside one of the agent's zones, and the
 * travel it implies since the last accepted fix is possible. Returns the zone that admitted it.
 *
 * Checks run in this order and throw the first failure:
 *   ERR_GEO_SENSOR            sensorId differs from the enrolled sensor
 *   ERR_GEO_STALE_FIX         older than maxFixAgeMs, or more than FIX_FUTURE_SKEW_MS ahead of now
 *   ERR_GEO_NO_ZONE           the agent has no zones
 *   ERR_GEO_OUTSIDE           the centre is in no zone (a centre on an edge counts as in)
 *   ERR_GEO_ACCURACY          the centre is in a zone but its accuracy circle reaches that zone's
 *                             boundary (exterior or hole); touching at exactly accuracyM passes
 *   ERR_GEO_IMPOSSIBLE_TRAVEL (distance - both accuracy radii) / elapsed time > maxSpeedMps, or
 *                             the fix is older than the last one
 * The circle must fit inside a single zone: a circle straddling two adjacent zones (or the two
 * halves of a zone split at the antimeridian) is refused. A malformed fix is ERR_INPUT_MALFORMED;
 * invalid caller parameters (now, limits, lastFix from storage) are ERR_INTERNAL. Zones are trusted
 * to come from parse-zone.ts. Left out: the country cross-check (ERR_GEO_COUNTRY) and any sensor
 * firmware checks, which live with the PCR policy.
 */
import { AegisError } from '../errors.ts'
import { checkTravel } from './check-travel.ts'
import { boundaryWithinM, locateInZone, nearestBoundaryM } from './edge-index.ts'
import type { LocationFix, PastFix, Zone } from './types.ts'

/** How far ahead of the collector's clock a fix time may be (clock drift, not GNSS error). */
export const FIX_FUTURE_SKEW_MS = 5_000

export interface CheckFixInput {
  fix: LocationFix
  zones: readonly Zone[]
  enrolledSensorId: string
  lastFix?: PastFix
  /** Collector time, ms since the epoch. */
  now: number
  maxFixAgeMs: number
  maxSpeedMps: number
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v)
}

function validFix(v: unknown, withSensor: boolean): string | undefined {
  if (typeof v !== 'object' || v === null) return 'fix'
  const f = v as Record<string, unknown>
  if (!isNum(f.lat) || f.lat < -90 || f.lat > 90) return 'lat'
  if (!isNum(f.lon) || f.lon < -180 || f.lon > 180) return 'lon'
  if (!isNum(f.accuracyM) || f.accuracyM < 0) return 'accuracyM'
  if (!isNum(f.fixTime)) return 'fixTime'
  if (withSensor && typeof f.sensorId !== 'string') return 'sensorId'
  return undefined
}

function checkParams(input: CheckFixInput): void {
  const bad = (what: string): never => {
    throw new AegisError('ERR_INTERNAL', `checkFix: invalid ${what}`, { detail: { field: what } })
  }
  if (typeof input !== 'object' || input === null) bad('input')
  if (typeof input.enrolledSensorId !== 'string') bad('enrolledSensorId')
  if (!Array.isArray(input.zones)) bad('zones')
  if (!isNum(input.now)) bad('now')
  if (!isNum(input.maxFixAgeMs) || input.maxFixAgeMs < 0) bad('maxFixAgeMs')
  if (!isNum(input.maxSpeedMps) || input.maxSpeedMps < 0) bad('maxSpeedMps')
  if (input.lastFix !== undefined && validFix(input.lastFix, false) !== undefined) bad('lastFix')
}

export function checkFix(input: CheckFixInput): { zoneId: string } {
  checkParams(input)
  const { fix, now } = input
  const badField = validFix(fix, true)
  if (badField !== undefined) {
    throw new AegisError('ERR_INPUT_MALFORMED', `location.${badField} is invalid`, {
      detail: { field: badField === 'fix' ? 'location' : `location.${badField}` },
    })
  }

  if (fix.sensorId !== input.enrolledSensorId) {
    throw new AegisError('ERR_GEO_SENSOR', 'the fix is not from the enrolled location sensor')
  }

  const ageMs = now - fix.fixTime
  if (ageMs > input.maxFixAgeMs || -ageMs > FIX_FUTURE_SKEW_MS) {
    throw new AegisError('ERR_GEO_STALE_FIX', 'the location fix is not fresh', {
      detail: { ageMs, maxFixAgeMs: input.maxFixAgeMs },
    })
  }

  if (input.zones.length === 0) {
    throw new AegisError('ERR_GEO_NO_ZONE', 'the agent has no geofence zone assigned')
  }

  let centreIn = false
  let bestMissM = -Infinity
  let zoneId: string | undefined
  for (const zone of input.zones) {
    if (locateInZone(zone.geometry, fix) === 'outside') continue
    centreIn = true
    // Exact below accuracyM, which is all the decision and its detail need (edge-index.ts).
    const boundaryM = boundaryWithinM(zone.geometry, fix, fix.accuracyM)
    if (boundaryM >= fix.accuracyM) {
      zoneId = zone.id
      break
    }
    bestMissM = Math.max(bestMissM, boundaryM)
  }
  if (!centreIn) {
    // Say where the fix was and how far the nearest zone is: what an operator needs to judge it.
    let nearest: { zone: string; distanceM: number } | undefined
    for (const zone of input.zones) {
      const d = nearestBoundaryM(zone.geometry, fix)
      if (!nearest || d < nearest.distanceM) nearest = { zone: zone.id, distanceM: Math.round(d) }
    }
    throw new AegisError('ERR_GEO_OUTSIDE', 'the fix is outside every assigned zone', {
      detail: { fix: { lat: fix.lat, lon: fix.lon, accuracyM: fix.accuracyM }, nearest },
    })
  }
  if (zoneId === undefined) {
    throw new AegisError('ERR_GEO_ACCURACY', 'the accuracy circle crosses the zone boundary', {
      detail: {
        accuracyM: fix.accuracyM,
        boundaryDistanceM: bestMissM,
        fix: { lat: fix.lat, lon: fix.lon, accuracyM: fix.accuracyM },
      },
    })
  }

  if (input.lastFix !== undefined) checkTravel(input.lastFix, fix, input.maxSpeedMps)
  return { zoneId }
}
