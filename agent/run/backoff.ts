/**
 * Exponential backoff with jitter for retrying the spool head: the n-th consecutive failure waits
 * a random time in [d/2, d] where d = min(max, initial * 2^n) ("equal jitter"), so a fleet that
 * lost its collector together does not come back in lockstep, yet each agent still waits at
 * least half the step. reset() after a success. `random` is injectable for tests.
 */
export class Backoff {
  private failures = 0

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; counts one more failure. */
  next(): number {
    const d = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures, 52))
    this.failures++
    return Math.round(d / 2 + (this.random() * d) / 2)
  }

  /** The longest delay, jittered: for conditions only an operator can clear. */
  ceiling(): number {
    this.failures++
    return Math.round(this.maxMs / 2 + (this.random() * this.maxMs) / 2)
  }

  get attempts(): number {
    return this.failures
  }

  reset(): void {
    this.failures = 0
  }
}
