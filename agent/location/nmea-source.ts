/**
 * NMEA 0183 from a serial device or a file (config `location.nmea`): lines are fed to an
 * NmeaFixTracker, which keeps the newest fix.
 *  - A character device or FIFO (e.g. /dev/ttyUSB0, /dev/serial/by-id/...) is read as a stream.
 *    Line settings (baud rate, raw mode) are the system's job: `stty -F DEV 9600 raw` in the
 *    unit's ExecStartPre (docs/agent.md), so the agent needs no native serial module.
 *  - A regular file is read from its start and then followed as it grows (like `tail -F`: a
 *    truncated or replaced file is read again from the start), for receivers logged by another
 *    process (`gpspipe -r`, a serial logger).
 * A missing or unreadable path is retried every 2 s; the reason shows in status().
 * Leaves out writing to the receiver (configuration, AGNSS).
 */
import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { silentLogger, type Logger } from '../run/logger.ts'
import { freshFix, type Fix, type LocationSource, type LocationStatus } from './fix.ts'
import { NmeaFixTracker } from './nmea-fixes.ts'

const MAX_PENDING = 4096
const RETRY_MS = 2000

export class NmeaSource implements LocationSource {
  readonly kind = 'nmea'
  readonly tracker = new NmeaFixTracker()
  private readonly stopper = new AbortController()
  private loop: Promise<void> | undefined
  private pending = ''
  private problem: string | null = 'no data yet'
  private destroyStream: (() => void) | undefined

  constructor(
    readonly path: string,
    private readonly maxAgeMs: number,
    private readonly log: Logger = silentLogger,
    private readonly pollMs = 200,
  ) {}

  start(): void {
    this.loop ??= this.run()
  }

  current(now: number): Fix | undefined {
    return freshFix(this.tracker.latest(), now, this.maxAgeMs)
  }

  status(): LocationStatus {
    const last = this.tracker.latest() ?? null
    const problem = last
      ? this.current(Date.now())
        ? null
        : 'the last fix is stale'
      : (this.problem ?? 'no fix')
    return { source: 'nmea', lastFix: last, problem }
  }

  async stop(): Promise<void> {
    this.stopper.abort()
    this.destroyStream?.()
    await this.loop
  }

  private get stopped(): boolean {
    return this.stopper.signal.aborted
  }

  private async run(): Promise<void> {
    let lastProblem = ''
    while (!this.stopped) {
      try {
        const st = await stat(this.path)
        if (st.isFile()) await this.follow()
        else await this.stream()
      } catch (e) {
        this.problem = `cannot read ${this.path}: ${(e as Error).message}`
        if (this.problem !== lastProblem)
          this.log.warn('location source unavailable', { path: this.path, error: e })
        lastProblem = this.problem
      }
      await this.sleep(RETRY_MS)
    }
  }

  private async follow(): Promise<void> {
    const fh = await open(this.path, 'r')
    try {
      const ino = (await fh.stat()).ino
      const buf = Buffer.alloc(16 * 1024)
      let pos = 0
      this.pending = ''
      while (!this.stopped) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos)
        if (bytesRead > 0) {
          pos += bytesRead
          this.lines(buf.subarray(0, bytesRead))
          continue
        }
        const now = await stat(this.path).catch(() => undefined)
        if (!now || now.ino !== ino) return // replaced: reopen
        if (now.size < pos) {
          pos = 0 // truncated
          this.pending = ''
        }
        await this.sleep(this.pollMs)
      }
    } finally {
      await fh.close()
    }
  }

  private stream(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const s = createReadStream(this.path, { highWaterMark: 1024 })
      this.pending = ''
      this.destroyStream = () => s.destroy()
      s.on('data', (d) => this.lines(d as Buffer))
      s.once('error', reject)
      s.once('close', () => resolve())
    }).finally(() => {
      this.destroyStream = undefined
    })
  }

  private lines(chunk: Buffer): void {
    this.pending += chunk.toString('latin1')
    const parts = this.pending.split('\n')
    this.pending = parts.pop() ?? ''
    if (this.pending.length > MAX_PENDING) this.pending = '' // no newline in sight: noise
    for (const line of parts) {
      if (line.trim() === '' || line.startsWith('#')) continue
      const r = this.tracker.feed(line)
      if (!r.ok && r.reason !== 'not-nmea')
        this.log.debug('nmea sentence ignored', { reason: r.reason })
      this.problem = this.tracker.latest() ? null : 'the receiver reports no fix'
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve()
    return new Promise((resolve) => {
      const t = setTimeout(done, ms)
      const signal = this.stopper.signal
      function done() {
        clearTimeout(t)
        signal.removeEventListener('abort', done)
        resolve()
      }
      signal.addEventListener('abort', done, { once: true })
    })
  }
}
