/**
 * BigInt modular exponentiation, left-to-right with a sliding window of odd powers (HAC
 * Algorithm 14.85). Not constant time: used for RSA public-key operations (public inputs) and for
 * the test-only OAEP decryption. Leaves out Montgomery arithmetic; V8's BigInt remainder is fast
 * enough for e = 65537 (17 squarings).
 */

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  if (mod <= 0n) throw new RangeError('modulus must be positive')
  if (exp < 0n) throw new RangeError('exponent must be non-negative')
  if (mod === 1n) return 0n
  base %= mod
  if (base < 0n) base += mod
  const bits = exp.toString(2)
  if (exp === 0n) return 1n
  const w = bits.length > 512 ? 5 : bits.length > 64 ? 4 : bits.length > 20 ? 2 : 1
  // table[i] = base^(2i+1)
  const table: bigint[] = [base]
  if (w > 1) {
    const sq = (base * base) % mod
    for (let i = 1; i < 1 << (w - 1); i++) table.push((table[i - 1]! * sq) % mod)
  }
  let result = 1n
  let i = 0
  while (i < bits.length) {
    if (bits[i] === '0') {
      result = (result * result) % mod
      i++
      continue
    }
    let j = Math.min(i + w, bits.length)
    while (bits[j - 1] === '0') j--
    for (let k = i; k < j; k++) result = (result * result) % mod
    result = (result * table[(parseInt(bits.slice(i, j), 2) - 1) >> 1]!) % mod
    i = j
  }
  return result
}
