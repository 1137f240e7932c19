/**
 * Cursor over marshalled bytes. TPM structures are big-endian (TPM 2.0 Part 1 §18: all integers
 * big-endian); the PFP event log is in the platform's byte order, little-endian on every UEFI
 * platform (PFP §10.2), read with `littleEndian`. Any read past the end throws `code`
 * (ERR_TPM_MALFORMED unless given) naming the offset; sub-views never copy, so a hostile size
 * field can make a parser neither allocate nor read beyond the input. `end()` enforces "no
 * trailing bytes".
 */
import { AegisError, type ErrorCode } from '../errors.ts'

export interface ReaderOptions {
  /** The code of a read past the end. */
  code?: ErrorCode
  /** Integers little-endian (the event log) instead of big-endian (TPM structures). */
  littleEndian?: boolean
}

export class ByteReader {
  private off = 0
  private readonly code: ErrorCode
  private readonly le: boolean
  constructor(
    readonly buf: Uint8Array,
    readonly what = 'TPM structure',
    opts: ReaderOptions = {},
  ) {
    this.code = opts.code ?? 'ERR_TPM_MALFORMED'
    this.le = opts.littleEndian ?? false
  }

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
        { detail: { offset: this.off } },
      )
    }
  }
  u8(): number {
    this.need(1)
    return this.buf[this.off++]!
  }
  u16(): number {
    this.need(2)
    const [a, b] = [this.buf[this.off]!, this.buf[this.off + 1]!]
    this.off += 2
    return this.le ? a | (b << 8) : (a << 8) | b
  }
  u32(): number {
    this.need(4)
    const b = this.buf
    const o = this.off
    this.off += 4
    return this.le
      ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
      : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0
  }
  u64(): bigint {
    const first = BigInt(this.u32())
    const second = BigInt(this.u32())
    return this.le ? (second << 32n) | first : (first << 32n) | second
  }
  /** A u64 length or offset, which must fit a safe integer: larger is hostile or broken. */
  u64Safe(): number {
    const v = this.u64()
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new AegisError(
        this.code,
        `${this.what}: 64-bit value too large at offset ${this.off - 8}`,
        {
          detail: { offset: this.off - 8 },
        },
      )
    }
    return Number(v)
  }
  bytes(n: number): Uint8Array {
    this.need(n)
    const v = this.buf.subarray(this.off, this.off + n)
    this.off += n
    return v
  }
  /** TPM2B_*: u16 size then that many bytes. `max` bounds the size field (the type's buffer size). */
  sized(max = 0xffff): Uint8Array {
    const n = this.u16()
    if (n > max) {
      throw new AegisError('ERR_TPM_MALFORMED', `${this.what}: size ${n} exceeds ${max}`)
    }
    return this.bytes(n)
  }
  /** Throw ERR_TPM_TRAILING_BYTES unless every byte was consumed. */
  end(): void {
    if (this.off !== this.buf.length) {
      throw new AegisError(
        'ERR_TPM_TRAILING_BYTES',
        `${this.what}: ${this.buf.length - this.off} trailing bytes`,
      )
    }
  }
}
