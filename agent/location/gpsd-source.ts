/**
 * gpsd client (config `location.gpsd`, default localhost:2947): connect, read the VERSION
 * banner, send `?WATCH={"enable":true,"json":true};`, then keep the newest fix from the TPV
 * stream (gpsd-parse.ts). A lost connection is retried with exponential backoff (0.5 s to 30 s);
 * meanwhile the last fix ages out on its own, so batches stop rather than carry an old position.
 * gpsd_json(5): "?WATCH", "TPV", "VERSION".
 * Leaves out gpsd's device selection (all devices are watched; the first to report wins) and
 * the shared-memory and D-Bus exports.
 */
import { Socket, createConnection } from 'node:net'
import { silentLogger, type Logger } from '../run/logger.ts'
import { freshFix, type Fix, type LocationSource, type LocationStatus } from './fix.ts'
import { parseGpsdLine } from './gpsd-parse.ts'

const WATCH = '?WATCH={"enable":true,"json":true};\n'
const MAX_LINE = 64 * 1024

export class GpsdSource implements LocationSource {
  readonly kind = 'gpsd'
  private fix: Fix | undefined
  private sock: Socket | undefined
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  private attempt = 0
  private problem: string | null = 'not connected yet'
  private device: string | undefined

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly maxAgeMs: number,
    private readonly log: Logger = silentLogger,
    private readonly retry = { initialMs: 500, maxMs: 30_000 },
  ) {}

  start(): void {
    if (!this.sock && !this.timer) this.connect()
  }

  current(now: number): Fix | undefined {
    return freshFix(this.fix, now, this.maxAgeMs)
  }

  status(): LocationStatus {
    const problem = this.fix
      ? this.current(Date.now())
        ? null
        : 'the last fix is stale'
      : this.problem
    return { source: 'gpsd', lastFix: this.fix ?? null, problem }
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    const s = this.sock
    this.sock = undefined
    if (s && !s.destroyed) {
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve())
        s.destroy()
      })
    }
  }

  private connect(): void {
    this.timer = undefined
    if (this.stopped) return
    const s = createConnection({ host: this.host, port: this.port })
    this.sock = s
    let pending = ''
    s.setEncoding('utf8')
    s.on('connect', () => {
      this.attempt = 0
      this.problem = 'connected, no fix yet'
      this.log.info('gpsd connected', { host: this.host, port: this.port })
      s.write(WATCH)
    })
    s.on('data', (d: string) => {
      pending += d
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      if (pending.length > MAX_LINE) pending = ''
      for (const l of lines) if (l.trim()) this.onLine(l)
    })
    s.on('error', (e) => {
      this.problem = `gpsd ${this.host}:${this.port}: ${e.message}`
    })
    s.on('close', () => {
      if (this.sock === s) this.sock = undefined
      if (this.stopped) return
      const delay = Math.min(this.retry.maxMs, this.retry.initialMs * 2 ** this.attempt++)
      this.log.warn('gpsd connection lost, reconnecting', {
        host: this.host,
        port: this.port,
        problem: this.problem,
        retryMs: delay,
      })
      this.timer = setTimeout(() => this.connect(), delay)
    })
  }

  private onLine(line: string): void {
    const m = parseGpsdLine(line)
    switch (m.kind) {
      case 'version':
        this.log.info('gpsd version', { release: m.release, protoMajor: m.protoMajor })
        if (m.protoMajor !== 3)
          this.log.warn('unexpected gpsd protocol version', { protoMajor: m.protoMajor })
        return
      case 'fix':
        if (!this.acceptDevice(m.device)) return
        this.fix = m.fix
        this.problem = null
        return
      case 'no-fix':
        if (!this.acceptDevice(m.device)) return
        this.fix = undefined
        this.problem = 'gpsd reports no fix'
        return
      default:
        return
    }
  }

  /** Stick to the first device that reports, so two receivers cannot alternate positions. */
  private acceptDevice(device: string | undefined): boolean {
    if (device === undefined) return true
    this.device ??= device
    return this.device === device
  }
}
