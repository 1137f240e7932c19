/**
 * Byte encodings used on the wire: hex, base64url (RFC 4648 §5, no padding), UTF-8, plus
 * concatenation and comparison. Decoders are strict: they reject anything that is not exactly
 * their alphabet, and throw ERR_INPUT_ENCODING.
 * Encoding, and decoding hex once validated, run native code where the runtime has it
 * (`Uint8Array.prototype.toBase64`/`toHex` and `Uint8Array.fromHex` in workerd and current
 * browsers, node:buffer in Node): base64url of 650 bytes takes 0.3 µs in workerd against 23 µs
 * in JavaScript. The JavaScript versions stay as the fallback and as the reference the tests
 * compare with (`jsToB64url`, `jsToHex`, `jsFromHex`); base64url decoding stays in JavaScript,
 * which validates as it goes and is as fast as the native decoder behind a validating regex.
 */
import { AegisError } from '../errors.ts'

const HEX = '0123456789abcdef'

interface NativeEncoders {
  toBase64?: (this: Uint8Array, o: { alphabet: 'base64url'; omitPadding: boolean }) => string
  toHex?: (this: Uint8Array) => string
}
const proto = Uint8Array.prototype as unknown as NativeEncoders
const nativeFromHex = (Uint8Array as unknown as { fromHex?: (s: string) => Uint8Array }).fromHex
const nativeEncoders = typeof proto.toBase64 === 'function' && typeof proto.toHex === 'function'

interface NodeBuffer {
  from(b: ArrayBufferLike, offset: number, length: number): { toString(enc: string): string }
  from(s: string, enc: 'hex'): Uint8Array
}
/** node:buffer's Buffer where the runtime is Node (no native encoders on Uint8Array there yet). */
const nodeBuffer: NodeBuffer | undefined = (() => {
  if (nativeEncoders) return undefined
  try {
    const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    const m = p?.getBuiltinModule?.('node:buffer') as { Buffer?: NodeBuffer } | undefined
    return m?.Buffer
  } catch {
    return undefined
  }
})()

/** Which implementation encodes here: 'native' (Uint8Array methods), 'node' (Buffer) or 'js'. */
export const ENCODER = nativeEncoders ? 'native' : nodeBuffer ? 'node' : 'js'

export function toHex(b: Uint8Array): string {
  if (ENCODER === 'native') return proto.toHex!.call(b)
  if (nodeBuffer) return nodeBuffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
  return jsToHex(b)
}

export function jsToHex(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) s += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!
  return s
}

export function fromHex(s: string, what = 'hex'): Uint8Array {
  if (typeof s !== 'string' || s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw new AegisError('ERR_INPUT_ENCODING', `${what} is not an even-length hex string`)
  }
  if (nativeFromHex) return nativeFromHex(s)
  // A copy: a Buffer may be a view of Node's shared pool.
  if (nodeBuffer) return new Uint8Array(nodeBuffer.from(s, 'hex'))
  return jsFromHex(s)
}

/** Hex already checked to be an even-length string of hex digits. */
export function jsFromHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16)
  return out
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const B64URL_INV = new Int16Array(128).fill(-1)
for (let i = 0; i < B64URL.length; i++) B64URL_INV[B64URL.charCodeAt(i)] = i

export function toB64url(b: Uint8Array): string {
  if (ENCODER === 'native')
    return proto.toBase64!.call(b, { alphabet: 'base64url', omitPadding: true })
  if (nodeBuffer) return nodeBuffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url')
  return jsToB64url(b)
}

export function jsToB64url(b: Uint8Array): string {
  let s = ''
  let i = 0
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!
    s += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]! + B64URL[n & 63]!
  }
  if (i < b.length) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8)
    s += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]!
    if (i + 1 < b.length) s += B64URL[(n >> 6) & 63]!
  }
  return s
}

/** Strict base64url: URL alphabet only, no padding, no whitespace, canonical trailing bits. */
export function fromB64url(s: string, what = 'base64url'): Uint8Array {
  if (typeof s !== 'string' || s.length % 4 === 1) {
    throw new AegisError('ERR_INPUT_ENCODING', `${what} is not valid base64url`)
  }
  const out = new Uint8Array(Math.floor((s.length * 3) / 4))
  let o = 0
  let acc = 0
  let bits = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const v = c < 128 ? B64URL_INV[c]! : -1
    if (v < 0) throw new AegisError('ERR_INPUT_ENCODING', `${what} is not valid base64url`)
    acc = (acc << 6) | v
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (acc >> bits) & 0xff
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) {
    throw new AegisError('ERR_INPUT_ENCODING', `${what} has non-canonical trailing bits`)
  }
  return out
}

const enc = new TextEncoder()
const dec = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export function utf8(s: string): Uint8Array {
  return enc.encode(s)
}

export function fromUtf8(b: Uint8Array, what = 'text'): string {
  try {
    return dec.decode(b)
  } catch (e) {
    throw new AegisError('ERR_INPUT_ENCODING', `${what} is not valid UTF-8`, { cause: e })
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Comparison whose time depends only on the lengths, for secrets and nonces. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length
  const n = Math.max(a.length, b.length)
  for (let i = 0; i < n; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0)
  return diff === 0
}

export function bytesToBigInt(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt('0x' + toHex(b))
}

/** Big-endian, left-padded to `len` bytes; throws if the value does not fit. */
export function bigIntToBytes(n: bigint, len: number): Uint8Array {
  let h = n.toString(16)
  if (h.length % 2) h = '0' + h
  if (h.length / 2 > len) throw new AegisError('ERR_INTERNAL', 'integer does not fit')
  return fromHex(h.padStart(len * 2, '0'))
}
