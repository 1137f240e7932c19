/** Big-endian builder for TPM marshalled bytes (commands, credential blobs, test fixtures). */
export class ByteWriter {
  private parts: number[] = []

  u8(v: number): this {
    this.parts.push(v & 0xff)
    return this
  }
  u16(v: number): this {
    this.parts.push((v >>> 8) & 0xff, v & 0xff)
    return this
  }
  u32(v: number): this {
    this.parts.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff)
    return this
  }
  u64(v: bigint): this {
    return this.u32(Number((v >> 32n) & 0xffffffffn)).u32(Number(v & 0xffffffffn))
  }
  bytes(b: Uint8Array): this {
    for (let i = 0; i < b.length; i++) this.parts.push(b[i]!)
    return this
  }
  /** TPM2B_*: u16 length prefix. */
  sized(b: Uint8Array): this {
    return this.u16(b.length).bytes(b)
  }
  get length(): number {
    return this.parts.length
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.parts)
  }
}
