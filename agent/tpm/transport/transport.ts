/**
 * The byte pipe between the TPM client and a TPM: one marshalled command in, one marshalled
 * response out. Implementations: swtpm's TCP data socket (swtpm-tcp.ts) and the Linux character
 * devices (device.ts). This file also holds what both share: the one-in-flight lock and the
 * response-frame check (TPM 2.0 Part 1 §18: the header's u32 at offset 2 is the total size).
 * Leaves out TCTI features beyond that (no locality, no cancel, no power control).
 */
import { AegisError } from '../../../attest/errors.ts'

export interface TpmTransport {
  /** Send one complete command, resolve with the one complete response. Serialized. */
  send(cmd: Uint8Array): Promise<Uint8Array>
  close(): Promise<void>
}

export interface TransportOptions {
  /** Per command, from write to the last response byte. A real TPM's RSA key generation is slow. */
  commandTimeoutMs?: number
  /** swtpm only: TCP connect timeout. */
  connectTimeoutMs?: number
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 120_000
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000
/** A larger size field means a desynchronised stream, not a TPM answer (TPM buffers: 4 KiB). */
export const MAX_RESPONSE_SIZE = 64 * 1024
export const HEADER_SIZE = 10

/** Runs one task at a time, in call order: a TPM takes exactly one command at a time. */
export class CommandLock {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task)
    this.tail = next.catch(() => undefined)
    return next
  }
}

/** The size field of a command or response header; throws unless it is a plausible frame size. */
export function frameSize(head: Uint8Array, what: string): number {
  const size = ((head[2]! << 24) | (head[3]! << 16) | (head[4]! << 8) | head[5]!) >>> 0
  if (size < HEADER_SIZE || size > MAX_RESPONSE_SIZE) {
    throw new AegisError('ERR_TPM_TRANSPORT', `${what}: implausible frame size ${size}`)
  }
  return size
}

export function checkCommand(cmd: Uint8Array): void {
  if (cmd.length < HEADER_SIZE || frameSize(cmd, 'command') !== cmd.length) {
    throw new AegisError('ERR_INTERNAL', 'command frame size does not match its length')
  }
}

/** The Node errno code (ENOENT, ECONNREFUSED, ...) of a system error, for error detail. */
export function errnoDetail(e: unknown): { errno?: string } {
  const code = (e as { code?: unknown } | undefined)?.code
  return typeof code === 'string' ? { errno: code } : {}
}
