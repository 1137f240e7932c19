/**
 * u1 G + u2 Q in one pass (Straus-Shamir interleaving): both scalars in wNAF share a single chain
 * of doublings. G's odd multiples are the precomputed affine table from the build (window W_G, so
 * additions by G are cheap mixed additions); Q's eight odd multiples are built per call in
 * Jacobian form (window 5). About bits doublings, bits/6 additions for Q, bits/(W_G+1) for G.
 * Leaves out caching Q's table across calls and constant time (all inputs are public).
 * Follows: Hankerson, Menezes, Vanstone, "Guide to Elliptic Curve Cryptography" Alg. 3.51
 * (interleaving with NAFs).
 */
import { W_G } from '../build/gen/config'
import { G_TABLE, ONE_MONT, copy, limbs, words } from './field'
import { PT, X, Y, Z, pointAdd, pointAddAffine, pointDouble, setInfinity } from './point'
import { wnaf } from './wnaf'

const W_Q: i32 = 5
const Q_TABLE: usize = memory.data((1 << (W_Q - 2)) * <i32>PT, 16)
const TWO_Q: usize = memory.data(<i32>PT, 16)
const DIGITS_G: usize = memory.data(392, 16)
const DIGITS_Q: usize = memory.data(392, 16)

function qEntry(i: i32): usize {
  return Q_TABLE + <usize>i * PT
}

/**
 * o = u1 G + u2 Q; u1, u2 scalars < n in words, (qx, qy) a valid affine point in Montgomery limbs.
 */
export function mulAdd(o: usize, u1: usize, u2: usize, qx: usize, qy: usize): void {
  copy(X(qEntry(0)), qx)
  copy(Y(qEntry(0)), qy)
  copy(Z(qEntry(0)), ONE_MONT)
  pointDouble(TWO_Q, qEntry(0))
  for (let i = 1; i < 1 << (W_Q - 2); i++) pointAdd(qEntry(i), qEntry(i - 1), TWO_Q, false)

  // One digit beyond the bit length absorbs the final carry of the recoding.
  const len = (words << 5) + 1
  const topG = wnaf(DIGITS_G, u1, words, W_G, len)
  const topQ = wnaf(DIGITS_Q, u2, words, W_Q, len)
  const feBytes = (<usize>limbs) << 2
  setInfinity(o)
  let started = false
  for (let i = topG > topQ ? topG : topQ; i >= 0; i--) {
    if (started) pointDouble(o, o)
    const dq = <i32>load<i8>(DIGITS_Q + <usize>i)
    if (dq != 0) {
      pointAdd(o, o, qEntry((dq < 0 ? -dq : dq) >> 1), dq < 0)
      started = true
    }
    const dg = <i32>load<i8>(DIGITS_G + <usize>i)
    if (dg != 0) {
      const e = G_TABLE + <usize>((dg < 0 ? -dg : dg) >> 1) * (feBytes << 1)
      pointAddAffine(o, o, e, e + feBytes, dg < 0)
      started = true
    }
  }
}
