/**
 * Big-endian cursor over TPM marshalled bytes (TPM 2.0 Part 1 §18: all integers big-endian).
 * Any read past the end is ERR_TPM_MALFORMED; `end()` enforces "no trailing bytes".
 */
import { AegisError } from '../errors.ts'

export class ByteReader {
  private off = 0
  constructor(
    readonly buf: Uint8Array,
    readonly what = 'TPM structure',
  ) {}

  get offset(): number {
    return this.off
  }
  get remaining(): number {
    return this.buf.length - this.off
  }

  private need(n: number): void {
    if (n < 0 || this.off + n > this.buf.length) {
      throw new AegisError('ERR_TPM_MALFORMED', `${this.what}: truncated at offset ${this.off}`)
    }
  }
  u8(): number {
    this.need(1)
    return this.buf[this.off++]!
  }
  u16(): number {
    this.need(2)
    const v = (this.buf[this.off]! << 8) | this.buf[this.off + 1]!
    this.off += 2
    return v
  }
  u32(): number {
    this.need(4)
    const b = this.buf
    const o = this.off
    this.off += 4
    return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0
  }
  u64(): bigint {
    const hi = this.u32()
    const lo = this.u32()
    return (BigInt(hi) << 32n) | BigInt(lo)
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
