/**
 * Waiting that a stop can cut short: sleep(ms, signal) resolves early (never rejects) when the
 * signal aborts, and a Waker lets the batch producer wake an idle sender. Timers are cleared on
 * either path, so a stopped agent leaves nothing scheduled behind it.
 */

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const t = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** One-shot notifications: wait() resolves at the next notify() (or one already pending). */
export class Waker {
  private pending = false
  private waiters: (() => void)[] = []

  notify(): void {
    const w = this.waiters
    this.waiters = []
    if (w.length === 0) this.pending = true
    for (const f of w) f()
  }

  wait(signal?: AbortSignal): Promise<void> {
    if (this.pending || signal?.aborted) {
      this.pending = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done)
        this.waiters = this.waiters.filter((f) => f !== done)
        resolve()
      }
      this.waiters.push(done)
      signal?.addEventListener('abort', done, { once: true })
    })
  }
}
