/**
 * MGF1 mask generation (RFC 8017 §B.2.1): Hash(seed || C) for a 4-byte big-endian counter C,
 * concatenated and cut to `len`. Leaves out the 2^32 * hLen length bound: callers ask for at most
 * a modulus length.
 */
import type { HashAlg } from '../tpm/types.ts'
import { digest, digestLength } from './hash.ts'

export function mgf1(hashAlg: HashAlg, seed: Uint8Array, len: number): Uint8Array {
  const hLen = digestLength(hashAlg)
  const out = new Uint8Array(len)
  const input = new Uint8Array(seed.length + 4)
  input.set(seed)
  for (let c = 0, o = 0; o < len; c++, o += hLen) {
    input[seed.length] = c >>> 24
    input[seed.length + 1] = (c >>> 16) & 0xff
    input[seed.length + 2] = (c >>> 8) & 0xff
    input[seed.length + 3] = c & 0xff
    const h = digest(hashAlg, input)
    out.set(h.subarray(0, Math.min(hLen, len - o)), o)
  }
  return out
}
