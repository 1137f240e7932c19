/**
 * Transport to a Linux TPM character device: /dev/tpmrm0 (the kernel resource manager, preferred:
 * it virtualises transient objects and sessions per open file) or /dev/tpm0 (raw, single user).
 * The kernel's protocol is one write() of the whole command, then one read() of the whole
 * response (drivers/char/tpm/tpm-dev-common.c; its buffer is TPM_BUFSIZE = 4096 bytes).
 * Leaves out non-blocking I/O and command cancellation: a timed-out read cannot be interrupted,
 * so on timeout the file is closed and the transport is unusable.
 */
import { open, type FileHandle } from 'node:fs/promises'
import { AegisError } from '../../../attest/errors.ts'
import {
  CommandLock,
  DEFAULT_COMMAND_TIMEOUT_MS,
  checkCommand,
  errnoDetail,
  frameSize,
  type TpmTransport,
  type TransportOptions,
} from './transport.ts'

const TPM_BUFSIZE = 4096

export class DeviceTransport implements TpmTransport {
  private readonly lock = new CommandLock()
  private fh: FileHandle | undefined

  private constructor(
    readonly path: string,
    fh: FileHandle,
    private readonly commandTimeoutMs: number,
  ) {
    this.fh = fh
  }

  /** Open read-write; ENOENT, EACCES, EBUSY (/dev/tpm0 in use) become ERR_TPM_TRANSPORT. */
  static async open(path: string, opts: TransportOptions = {}): Promise<DeviceTransport> {
    try {
      const fh = await open(path, 'r+')
      return new DeviceTransport(path, fh, opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS)
    } catch (e) {
      throw new AegisError('ERR_TPM_TRANSPORT', `cannot open TPM device ${path}: ${String(e)}`, {
        cause: e,
        detail: { path, ...errnoDetail(e) },
      })
    }
  }

  send(cmd: Uint8Array): Promise<Uint8Array> {
    checkCommand(cmd)
    return this.lock.run(() => this.exchange(cmd))
  }

  close(): Promise<void> {
    return this.lock.run(async () => {
      const fh = this.fh
      this.fh = undefined
      await fh?.close()
    })
  }

  private fail(message: string, cause?: unknown): AegisError {
    return new AegisError('ERR_TPM_TRANSPORT', `TPM device ${this.path}: ${message}`, {
      cause,
      detail: { path: this.path, ...errnoDetail(cause) },
    })
  }

  private async exchange(cmd: Uint8Array): Promise<Uint8Array> {
    const fh = this.fh
    if (!fh) throw this.fail('transport is closed')
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(this.fail(`no response within ${this.commandTimeoutMs} ms`)),
        this.commandTimeoutMs,
      )
    })
    try {
      return await Promise.race([this.writeRead(fh, cmd), timeout])
    } catch (e) {
      // After a failed or timed-out exchange the device may still owe us a response; reading it
      // as the answer to the next command would be worse than failing every later command.
      this.fh = undefined
      fh.close().catch(() => undefined)
      throw e instanceof AegisError ? e : this.fail(`I/O error: ${String(e)}`, e)
    } finally {
      clearTimeout(timer)
    }
  }

  private async writeRead(fh: FileHandle, cmd: Uint8Array): Promise<Uint8Array> {
    const { bytesWritten } = await fh.write(cmd, 0, cmd.length, null)
    if (bytesWritten !== cmd.length)
      throw this.fail(`short write (${bytesWritten} of ${cmd.length})`)
    const buf = new Uint8Array(TPM_BUFSIZE)
    const { bytesRead } = await fh.read(buf, 0, buf.length, null)
    if (bytesRead < 10) throw this.fail(`short response (${bytesRead} bytes)`)
    const size = frameSize(buf, 'response')
    if (size !== bytesRead)
      throw this.fail(`response size field ${size} != ${bytesRead} bytes read`)
    return buf.slice(0, bytesRead)
  }
}
