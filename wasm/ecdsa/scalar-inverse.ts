/**
 * Inversion modulo the group order n by Bernstein and Yang's divsteps ("safegcd"), variable time:
 * about 2.2 bits steps in batches of limbBits (29 for P-256, 28 for P-384), each batch run on the
 * low limbs alone and then applied to the full numbers as one 2x2 matrix. The divsteps shrink
 * (f, g) = (n, a) until g = 0, when f = +-gcd = +-1; d, e follow along with f = d a and g = e a
 * (mod n), so a^-1 = +-d. About a third of the Fermat exponentiation it replaces (256 squarings).
 * Numbers are limbs of limbBits bits in i64 slots, least significant first; every limb is in
 * [0, 2^limbBits) but the top one, which carries the sign. f and g stay within [-n, n]; d and e
 * within (-2n, n), kept there by adding multiples of n as each batch divides by 2^limbBits.
 * Leaves out a = 0 (the caller has rejected s = 0) and constant time (s is public).
 * Follows: D. J. Bernstein, B.-Y. Yang, "Fast constant-time gcd computation and modular
 * inversion" (2019), §8 (divstep) and §11-12 (batches, the matrix bound |u| + |v| <= 2^steps);
 * the (-2n, n) bookkeeping of d and e as in P. Wuille's safegcd implementation notes (2021).
 * SEC 1 v2 §4.1.4 step 4 (u1 = e s^-1, u2 = r s^-1 mod n).
 */
import { N_INV_LIMB, N_LIMBS, limbBits, limbs } from './field'

const F: usize = memory.data(16 * 8, 16)
const G: usize = memory.data(16 * 8, 16)
const D: usize = memory.data(16 * 8, 16)
const E: usize = memory.data(16 * 8, 16)
const NL: usize = memory.data(16 * 8, 16)

/** Batches that cannot be needed: divsteps end within (49 bits + 80) / 17 steps (ibid. §11). */
const MAX_BATCHES: i32 = 64

function at(a: usize, i: i32): usize {
  return a + ((<usize>i) << 3)
}

// The transition matrix of the last batch, [[u, v], [q, r]] (2^steps [f', g'] = it [f, g]).
let mu: i64 = 0
let mv: i64 = 0
let mq: i64 = 0
let mr: i64 = 0

/**
 * Runs `steps` divsteps on the low bits of f and g (f0 odd) from eta = -delta, leaving the matrix
 * in mu, mv, mq, mr; returns the new eta. Runs of zero bits in g are skipped at once.
 */
function divsteps(eta: i32, f0: i64, g0: i64, steps: i32): i32 {
  let u: i64 = 1
  let v: i64 = 0
  let q: i64 = 0
  let r: i64 = 1
  let i = steps
  for (;;) {
    // g even: g / 2 (f doubles relative to it); the sentinel bit stops at the batch's end.
    const z = <i32>ctz<i64>(g0 | ((<i64>1) << i))
    g0 >>= z
    u <<= z
    v <<= z
    eta -= z
    i -= z
    if (i == 0) break
    if (eta < 0) {
      // delta > 0: (f, g) = (g, (g - f) / 2)
      const t = f0
      f0 = g0
      g0 = (g0 - t) >> 1
      const tu = u
      const tv = v
      u = q << 1
      v = r << 1
      q -= tu
      r -= tv
      eta = -eta - 1
    } else {
      // (f, g) = (f, (g + f) / 2)
      g0 = (g0 + f0) >> 1
      q += u
      r += v
      u <<= 1
      v <<= 1
      eta -= 1
    }
    i--
  }
  mu = u
  mv = v
  mq = q
  mr = r
  return eta
}

/**
 * (a, b) = ([[u, v], [q, r]] (a, b) + (ma, mb) n) / 2^bits, where the caller's ma, mb make the low
 * limbs cancel (for f, g they cancel by construction, ma = mb = 0).
 */
function applyMatrix(a: usize, b: usize, ma: i64, mb: i64, bits: i32, mask: i64): void {
  let ca: i64 = 0
  let cb: i64 = 0
  for (let k = 0; k < limbs; k++) {
    const ak = load<i64>(at(a, k))
    const bk = load<i64>(at(b, k))
    const nk = load<i64>(at(NL, k))
    ca += mu * ak + mv * bk + nk * ma
    cb += mq * ak + mr * bk + nk * mb
    if (k > 0) {
      store<i64>(at(a, k - 1), ca & mask)
      store<i64>(at(b, k - 1), cb & mask)
    }
    ca >>= bits
    cb >>= bits
  }
  store<i64>(at(a, limbs - 1), ca)
  store<i64>(at(b, limbs - 1), cb)
}

/**
 * (d, e) = ([[u, v], [q, r]] (d, e) + (md, me) n) / 2^bits: a negative d or e first counts as
 * d + n (the u n, v n terms), then md, me take off the multiple of n in [0, 2^bits) that clears
 * the low limbs. From (-2n, n) and |u| + |v| <= 2^bits the results are again in (-2n, n).
 */
function updateDE(bits: i32, mask: i64): void {
  const d = load<i64>(D)
  const e = load<i64>(E)
  const sd = load<i64>(at(D, limbs - 1)) >> 63
  const se = load<i64>(at(E, limbs - 1)) >> 63
  let md = (mu & sd) + (mv & se)
  let me = (mq & sd) + (mr & se)
  md -= (N_INV_LIMB * (mu * d + mv * e) + md) & mask
  me -= (N_INV_LIMB * (mq * d + mr * e) + me) & mask
  applyMatrix(D, E, md, me, bits, mask)
}

function isZeroG(): bool {
  for (let k = 0; k < limbs; k++) if (load<i64>(at(G, k)) != 0) return false
  return true
}

/** a += sign n (sign = 1 or -1), normalising the limbs. */
function addN(a: usize, sign: i64, bits: i32, mask: i64): void {
  let c: i64 = 0
  for (let k = 0; k < limbs; k++) {
    c += load<i64>(at(a, k)) + sign * load<i64>(at(NL, k))
    store<i64>(at(a, k), k == limbs - 1 ? c : c & mask)
    c >>= bits
  }
}

/** a >= n, for a normalised, non-negative a. */
function atLeastN(a: usize): bool {
  for (let k = limbs - 1; k >= 0; k--) {
    const x = load<i64>(at(a, k))
    const y = load<i64>(at(NL, k))
    if (x != y) return x > y
  }
  return true
}

/** o = a^-1 mod n in plain u32 limbs, fully reduced, for a in plain limbs, 0 < a < n. */
export function scalarInvert(o: usize, a: usize): void {
  const bits = limbBits
  const mask: i64 = ((<i64>1) << bits) - 1
  for (let k = 0; k < limbs; k++) {
    const nk = <i64>load<u32>(N_LIMBS + ((<usize>k) << 2))
    store<i64>(at(NL, k), nk)
    store<i64>(at(F, k), nk)
    store<i64>(at(G, k), <i64>load<u32>(a + ((<usize>k) << 2)))
    store<i64>(at(D, k), 0)
    store<i64>(at(E, k), k == 0 ? 1 : 0)
  }
  let eta = -1
  for (let batch = 0; ; batch++) {
    if (batch == MAX_BATCHES) unreachable()
    eta = divsteps(eta, load<i64>(F), load<i64>(G), bits)
    applyMatrix(F, G, 0, 0, bits, mask)
    updateDE(bits, mask)
    if (isZeroG()) break
  }
  // f = +-1: a^-1 = +-d, in (-2n, 2n); bring it into [0, n).
  if (load<i64>(at(F, limbs - 1)) < 0) {
    let c: i64 = 0
    for (let k = 0; k < limbs; k++) {
      c -= load<i64>(at(D, k))
      store<i64>(at(D, k), k == limbs - 1 ? c : c & mask)
      c >>= bits
    }
  }
  while (load<i64>(at(D, limbs - 1)) < 0) addN(D, 1, bits, mask)
  while (atLeastN(D)) addN(D, -1, bits, mask)
  for (let k = 0; k < limbs; k++) store<u32>(o + ((<usize>k) << 2), <u32>load<i64>(at(D, k)))
}
