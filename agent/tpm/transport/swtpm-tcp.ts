/**
 * Transport to swtpm's TCP data port (`swtpm socket --server type=tcp`): raw TPM 2.0 command bytes
 * out, raw response bytes back, each response framed by the size field of its header.
 * One persistent connection, opened by `connect()` and re-opened on the next command after an I/O
 * error or timeout (the stream position is unknown after either, so the socket is dropped).
 * Leaves out swtpm's control channel (power, locality, cancel); the TPM must already be started
 * (`--flags startup-clear`) or be sent TPM2_Startup by the client.
 * Note: swtpm serves one data connection at a time, so another client (tpm2-tools) waits until
 * this transport is closed.
 */
import { Socket, createConnection } from 'node:net'
import { AegisError } from '../../../attest/errors.ts'
import {
  CommandLock,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  HEADER_SIZE,
  checkCommand,
  errnoDetail,
  frameSize,
  type TpmTransport,
  type TransportOptions,
} from './transport.ts'

interface Pending {
  /** The socket the command went out on: events of an older, dropped socket must not touch it. */
  sock: Socket
  chunks: Buffer[]
  received: number
  expected: number
  resolve: (b: Uint8Array) => void
  reject: (e: AegisError) => void
}

export class SwtpmTcpTransport implements TpmTransport {
  private socket: Socket | undefined
  private pending: Pending | undefined
  private closed = false
  private readonly lock = new CommandLock()
  private readonly commandTimeoutMs: number
  private readonly connectTimeoutMs: number

  constructor(
    readonly host: string,
    readonly port: number,
    opts: TransportOptions = {},
  ) {
    this.commandTimeoutMs = opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS
    this.connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  }

  /** Open the connection now, so a wrong address fails at start-up rather than at first use. */
  connect(): Promise<void> {
    return this.lock.run(async () => {
      await this.ensureSocket()
    })
  }

  send(cmd: Uint8Array): Promise<Uint8Array> {
    checkCommand(cmd)
    return this.lock.run(() => this.exchange(cmd))
  }

  close(): Promise<void> {
    this.closed = true
    return this.lock.run(async () => {
      const s = this.socket
      this.socket = undefined
      if (!s || s.destroyed) return
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve())
        s.end()
        // A peer that never acknowledges the FIN must not hold up shutdown.
        setTimeout(() => s.destroy(), 1000).unref()
      })
    })
  }

  private fail(message: string, cause?: unknown): AegisError {
    return new AegisError('ERR_TPM_TRANSPORT', `swtpm ${this.host}:${this.port}: ${message}`, {
      cause,
      detail: { host: this.host, port: this.port, ...errnoDetail(cause) },
    })
  }

  private ensureSocket(): Promise<Socket> {
    if (this.closed) return Promise.reject(this.fail('transport is closed'))
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket)
    return new Promise((resolve, reject) => {
      const s = createConnection({ host: this.host, port: this.port })
      s.setNoDelay(true)
      const timer = setTimeout(() => {
        s.destroy()
        reject(this.fail(`connect timed out after ${this.connectTimeoutMs} ms`))
      }, this.connectTimeoutMs)
      s.once('error', (e) => {
        clearTimeout(timer)
        reject(this.fail(`connect failed: ${e.message}`, e))
      })
      s.once('connect', () => {
        clearTimeout(timer)
        s.removeAllListeners('error')
        this.attach(s)
        this.socket = s
        resolve(s)
      })
    })
  }

  private attach(s: Socket): void {
    s.on('data', (d: Buffer) => this.onData(s, d))
    s.on('error', (e) => this.drop(s, this.fail(`I/O error: ${e.message}`, e)))
    s.on('close', () => this.drop(s, this.fail('connection closed by swtpm')))
  }

  /** Forget a broken socket and fail the command waiting on it. */
  private drop(s: Socket, err: AegisError): void {
    if (this.socket === s) this.socket = undefined
    s.destroy()
    const p = this.pending
    if (p?.sock !== s) return
    this.pending = undefined
    p.reject(err)
  }

  private onData(s: Socket, d: Buffer): void {
    const p = this.pending
    if (!p || p.sock !== s) {
      // Bytes with no command outstanding: the stream is out of step; start afresh next time.
      this.drop(s, this.fail('unsolicited data'))
      return
    }
    p.chunks.push(d)
    p.received += d.length
    if (p.expected === 0 && p.received >= HEADER_SIZE) {
      try {
        p.expected = frameSize(Buffer.concat(p.chunks), 'response')
      } catch (e) {
        this.drop(s, e as AegisError)
        return
      }
    }
    if (p.expected !== 0 && p.received >= p.expected) {
      if (p.received > p.expected) {
        this.drop(s, this.fail('response longer than its size field'))
        return
      }
      this.pending = undefined
      p.resolve(new Uint8Array(Buffer.concat(p.chunks)))
    }
  }

  private async exchange(cmd: Uint8Array): Promise<Uint8Array> {
    const s = await this.ensureSocket()
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.drop(s, this.fail(`no complete response within ${this.commandTimeoutMs} ms`))
      }, this.commandTimeoutMs)
      this.pending = {
        sock: s,
        chunks: [],
        received: 0,
        expected: 0,
        resolve: (b) => (clearTimeout(timer), resolve(b)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      }
      s.write(cmd)
    })
  }
}
