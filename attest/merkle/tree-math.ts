/**
 * Integer helpers for Merkle tree sizes and indices. Sizes may exceed 2^32, so these use
 * arithmetic on safe integers rather than JavaScript's 32-bit bitwise operators. Leaves out
 * sizes beyond Number.MAX_SAFE_INTEGER: no log here gets near 2^53 leaves.
 */

export function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
}

/** The largest power of two <= n (n >= 1). */
export function powerOfTwoAtMost(n: number): number {
  let p = 1
  while (p * 2 <= n) p *= 2
  return p
}

/** k in RFC 9162 §2.1.1: the largest power of two strictly smaller than n (n >= 2). */
export function splitPoint(n: number): number {
  return powerOfTwoAtMost(n - 1)
}

export function isPowerOfTwo(n: number): boolean {
  return n >= 1 && powerOfTwoAtMost(n) === n
}

/** log2 of a power of two. */
export function log2Exact(p: number): number {
  let l = 0
  while (p > 1) {
    p /= 2
    l++
  }
  return l
}
