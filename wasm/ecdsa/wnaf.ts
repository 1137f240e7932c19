/**
 * Width-w non-adjacent form of a scalar: digits d_i in {0, ±1, ±3, ..., ±(2^(w-1) - 1)} with
 * sum d_i 2^i = k and at least w - 1 zeros after every non-zero digit, so a multiplication needs
 * about bits/(w+1) additions from a table of 2^(w-2) odd multiples.
 * Leaves out negative scalars and constant time (the scalars are public).
 * Follows: Hankerson, Menezes, Vanstone, "Guide to Elliptic Curve Cryptography" Alg. 3.35, in the
 * carry-propagating form that reads the scalar a window at a time instead of subtracting.
 */

/** Bits [bit, bit + count) of the little-endian 32-bit words at k (count <= 16); zero past `wordCount`. */
function bitsAt(k: usize, wordCount: i32, bit: i32, count: i32): u32 {
  const w = bit >>> 5
  const sh = bit & 31
  let v: u64 = 0
  if (w < wordCount) v = <u64>load<u32>(k + ((<usize>w) << 2))
  if (w + 1 < wordCount) v |= (<u64>load<u32>(k + ((<usize>(w + 1)) << 2))) << 32
  return (<u32>(v >> sh)) & ((1 << count) - 1)
}

/**
 * Writes `len` digits (i8) to `out` for the scalar at `k` (`wordCount` 32-bit words) with window `w`;
 * `len` must exceed the scalar's bit length by one. Returns the index of the highest non-zero
 * digit, or -1 for k = 0.
 */
export function wnaf(out: usize, k: usize, wordCount: i32, w: i32, len: i32): i32 {
  memory.fill(out, 0, <usize>len)
  let carry: u32 = 0
  let bit = 0
  let top = -1
  while (bit < len) {
    if (bitsAt(k, wordCount, bit, 1) == carry) {
      bit++
      continue
    }
    let now = w
    if (now > len - bit) now = len - bit
    let word = <i32>(bitsAt(k, wordCount, bit, now) + carry)
    carry = ((<u32>word) >> (w - 1)) & 1
    word -= <i32>(carry << w)
    store<i8>(out + <usize>bit, <i8>word)
    top = bit
    bit += now
  }
  return top
}
