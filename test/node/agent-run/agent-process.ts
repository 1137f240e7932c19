/**
 * `aegis agent run` as a real child process (the same launcher users run, on this Node), with its
 * JSON-lines log parsed as it arrives, so a test can wait for events and kill it (SIGTERM for a
 * graceful stop, SIGKILL for a crash).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'

const BIN = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../../../agent/cli/bin.mjs',
)

export interface LogRecord {
  msg: string
  level: string
  seq?: number
  batchId?: string
  duplicate?: boolean
  error?: { code?: string }
  [k: string]: unknown
}

export class AgentProcess {
  readonly records: LogRecord[] = []
  raw = ''
  private pending = ''
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>

  private constructor(readonly child: ChildProcess) {
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (d: string) => {
      this.raw += d
      this.pending += d
      const lines = this.pending.split('\n')
      this.pending = lines.pop() ?? ''
      for (const l of lines) {
        try {
          this.records.push(JSON.parse(l) as LogRecord)
        } catch {
          /* not a log line (e.g. a Node warning) */
        }
      }
    })
    child.stdout!.resume()
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    )
  }

  /** `launcher`: how to run the CLI (default this Node with the source launcher; the footprint
   * benchmark passes a device executable). */
  static start(configFile: string, launcher: string[] = [process.execPath, BIN]): AgentProcess {
    const [cmd, ...pre] = launcher as [string, ...string[]]
    const child = spawn(cmd, [...pre, 'agent', 'run', '--config', configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    })
    return new AgentProcess(child)
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  /** Records with this message. */
  events(msg: string): LogRecord[] {
    return this.records.filter((r) => r.msg === msg)
  }

  async waitFor(
    pred: (records: LogRecord[]) => boolean,
    ms = 30_000,
    what = 'log condition',
  ): Promise<void> {
    const until = Date.now() + ms
    while (!pred(this.records)) {
      if (!this.running) throw new Error(`agent exited while waiting for ${what}:\n${this.raw}`)
      if (Date.now() > until)
        throw new Error(`timed out waiting for ${what}:\n${this.raw.slice(-4000)}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
    ms = 20_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal)
    const timer = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`agent did not exit after ${signal}:\n${this.raw.slice(-4000)}`)),
        ms,
      ).unref(),
    )
    return Promise.race([this.exited, timer])
  }
}
