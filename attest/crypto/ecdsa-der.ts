/**
 * Strict DER decoding of an ECDSA-Sig-Value (SEC 1 §C.5, RFC 3279 §2.2.3):
 * SEQUENCE { r INTEGER, s INTEGER } under X.690 DER rules: definite minimal lengths, minimal
 * two's-complement integers, no negative values, nothing after the sequence.
 * Any deviation is ERR_SIG_MALFORMED; BER leniency here has enabled signature malleability
 * elsewhere. r and s come back as unsigned big-endian bytes without the sign-padding zero.
 * Leaves out range checks against the curve order (the verifier does those).
 */
import { AegisError } from '../errors.ts'

function bad(why: string): AegisError {
  return new AegisError('ERR_SIG_MALFORMED', `DER ECDSA signature: ${why}`)
}

/** Reads a DER length at `off`; returns [length, offset after the length octets]. */
function readLength(b: Uint8Array, off: number): [number, number] {
  if (off >= b.length) throw bad('truncated length')
  const first = b[off]!
  if (first < 0x80) return [first, off + 1]
  const count = first & 0x7f
  // 0x80 is BER indefinite length; more than 2 length octets cannot occur for any curve.
  if (count === 0 || count > 2) throw bad('unsupported length form')
  if (off + 1 + count > b.length) throw bad('truncated length')
  let len = 0
  for (let i = 0; i < count; i++) len = (len << 8) | b[off + 1 + i]!
  if (len < 0x80 || (count === 2 && len < 0x100)) throw bad('non-minimal length')
  return [len, off + 1 + count]
}

function readInteger(b: Uint8Array, off: number, end: number): [Uint8Array, number] {
  if (off >= end || b[off] !== 0x02) throw bad('expected INTEGER')
  const [len, start] = readLength(b, off + 1)
  const stop = start + len
  if (len === 0) throw bad('empty INTEGER')
  if (stop > end) throw bad('INTEGER overruns the sequence')
  const v = b.subarray(start, stop)
  if (v[0]! & 0x80) throw bad('negative INTEGER')
  if (v[0] === 0 && v.length > 1 && !(v[1]! & 0x80)) throw bad('non-minimal INTEGER')
  return [v[0] === 0 && v.length > 1 ? v.subarray(1) : v, stop]
}

export function parseDerEcdsaSignature(der: Uint8Array): {
  r: Uint8Array
  s: Uint8Array
} {
  if (!(der instanceof Uint8Array) || der.length < 2) throw bad('too short')
  if (der[0] !== 0x30) throw bad('expected SEQUENCE')
  const [len, start] = readLength(der, 1)
  const end = start + len
  if (end !== der.length) throw bad(end > der.length ? 'truncated' : 'trailing bytes')
  const [r, afterR] = readInteger(der, start, end)
  const [s, afterS] = readInteger(der, afterR, end)
  if (afterS !== end) throw bad('extra data inside the sequence')
  return { r, s }
}
