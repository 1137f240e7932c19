/**
 * A fixed position for a stationary site (config `location.fixed`): every batch carries the
 * configured coordinates with the current time as fixTime. The sensor identity extended into the
 * PCR still names what vouches for it (for a surveyed site, e.g. "survey:site-42").
 * Leaves out any check that the site has not moved: that is what a GNSS source is for.
 */
import type { Fix, LocationSource, LocationStatus } from './fix.ts'

export class FixedSource implements LocationSource {
  readonly kind = 'fixed'

  constructor(private readonly position: { lat: number; lon: number; accuracyM: number }) {}

  start(): void {}

  current(now: number): Fix {
    return { ...this.position, fixTime: now }
  }

  status(): LocationStatus {
    return { source: 'fixed', lastFix: this.current(Date.now()), problem: null }
  }

  async stop(): Promise<void> {}
}
