/**
 * A position fix as the agent puts it into a batch payload (attest/ingest/batch-payload.ts
 * `location`, minus sensorId), and the interface every location source implements (fixed, gpsd,
 * NMEA). Sources keep only their newest fix and forget it on an explicit no-fix report; the
 * agent asks for it when it builds a batch and skips the batch if there is none fresh enough.
 * accuracyM is a horizontal error radius in metres at roughly 95% confidence.
 */

export interface Fix {
  lat: number
  lon: number
  accuracyM: number
  /** ms since the Unix epoch, UTC, as reported by the receiver (not when it was read). */
  fixTime: number
}

export interface LocationStatus {
  source: 'fixed' | 'gpsd' | 'nmea'
  /** The newest fix, fresh or not. */
  lastFix: Fix | null
  /** Why there is no usable fix, when there is none. */
  problem: string | null
}

export interface LocationSource {
  readonly kind: LocationStatus['source']
  /** Begin reading (connect, open); failures are retried in the background, never thrown. */
  start(): void
  /** The newest fix if its fixTime is within [now - maxAge, now + skew]; otherwise undefined. */
  current(now: number): Fix | undefined
  status(): LocationStatus
  stop(): Promise<void>
}

/** A fix stamped ahead of the local clock by more than this is treated as not fresh. */
export const FIX_FUTURE_SKEW_MS = 5_000

export function freshFix(fix: Fix | undefined, now: number, maxAgeMs: number): Fix | undefined {
  if (!fix) return undefined
  if (fix.fixTime > now + FIX_FUTURE_SKEW_MS || now - fix.fixTime > maxAgeMs) return undefined
  return fix
}

/** Accuracy used when a receiver reports a position without any error estimate. */
export const UNKNOWN_ACCURACY_M = 100
