/**
 * Little-endian cursor for the PFP event log (PFP §10.2: the log is in the platform's byte order,
 * little-endian on every UEFI platform). Unlike attest/bytes/reader.ts (big-endian TPM
 * structures), a read past the end is ERR_EVENTLOG_TRUNCATED and sub-views never copy, so a
 * hostile size field can make the parser neither allocate nor read beyond the input.
 */
import { AegisError, type ErrorCode } from '../errors.ts'

export class LeReader {
  private off = 0
  constructor(
    readonly buf: Uint8Array,
    readonly code: ErrorCode = 'ERR_EVENTLOG_TRUNCATED',
    readonly what = 'event log',
    readonly detail: Record<string, unknown> = {},
  ) {}

  get offset(): number {
    return this.off
  }
  get remaining(): number {
    return this.buf.length - this.off
  }
  private need(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.buf.length - this.off) {
      throw new AegisError(
        this.code,
        `${this.what}: ${n} bytes needed at offset ${this.off}, ${this.remaining} left`,
        {
          detail: { ...this.detail, offset: this.off },
        },
      )
    }
  }
  u8(): number {
    this.need(1)
    return this.buf[this.off++]!
  }
  u16(): number {
    this.need(2)
    const v = this.buf[this.off]! | (this.buf[this.off + 1]! << 8)
    this.off += 2
    return v
  }
  u32(): number {
    this.need(4)
    const b = this.buf
    const o = this.off
    this.off += 4
    return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
  }
  /** A u64 that must fit a safe integer: larger values can only be a hostile or broken length. */
  u64(): number {
    const lo = this.u32()
    const hi = this.u32()
    if (hi >= 0x200000) {
      throw new AegisError(
        this.code,
        `${this.what}: 64-bit value too large at offset ${this.off - 8}`,
        {
          detail: { ...this.detail, offset: this.off - 8 },
        },
      )
    }
    return hi * 0x1_0000_0000 + lo
  }
  bytes(n: number): Uint8Array {
    this.need(n)
    const v = this.buf.subarray(this.off, this.off + n)
    this.off += n
    return v
  }
}
