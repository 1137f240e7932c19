/**
 * Per-key precomputation kept across verifications: an agent's AK signs every batch,
 * so the work that depends on the key alone is done once per key and slot, not once per signature.
 * A slot holds, for a key Q, the affine odd multiples 1Q, 3Q, ..., 31Q (window W_C = 6) and the
 * same for Q' = 2^h Q, h = half the scalar's bits. With G's two build-time tables (G and 2^h G,
 * gen-curves.mjs) both scalars split into halves, u = u_lo + 2^h u_hi, and
 *   u1 G + u2 Q = u1_lo G + u1_hi (2^h G) + u2_lo Q + u2_hi Q'
 * runs as one interleaved chain of h doublings (half the uncached path's) with mixed additions
 * only. Filling a slot costs about one uncached verification (h doublings for Q', 30 additions,
 * one field inversion shared by all 32 points through Montgomery's batch-inversion trick).
 * A slot remembers its curve and key words: a lookup compares them, so a wrong slot choice by the
 * host costs a refill, never a wrong answer. CACHE_SLOTS slots, chosen by the host (LRU).
 * Leaves out constant time (keys and signatures are public).
 * Follows: Hankerson, Menezes, Vanstone, "Guide to Elliptic Curve Cryptography" Alg. 3.51
 * (interleaving) and §3.3.2 (splitting a scalar with precomputed 2^h multiples); Montgomery's
 * simultaneous inversion (ibid. Alg. 2.26).
 */
import { W_G } from '../build/gen/config'
import {
  FE,
  G_HI_TABLE,
  G_TABLE,
  ONE_MONT,
  P_MINUS_2_WORDS,
  copy,
  curveId,
  fmul,
  fsqr,
  limbs,
  words,
} from './field'
import { PT, X, Y, Z, copyPoint, pointAdd, pointAddAffine, pointDouble, setInfinity } from './point'
import { wnaf } from './wnaf'

export const CACHE_SLOTS: i32 = 8
const W_C: i32 = 6
const ENTRIES: i32 = 1 << (W_C - 2)
/** An affine entry: x then y, FE bytes each. */
const AFF: usize = 2 * FE
const TABLE_BYTES: usize = <usize>ENTRIES * AFF
const SLOT_BYTES: usize = 2 * TABLE_BYTES
/** Per slot: curve id + 1 (0 = empty), then the key's x and y words. */
const META_BYTES: usize = 16 + 2 * FE

const TABLES: usize = memory.data(CACHE_SLOTS * <i32>SLOT_BYTES, 16)
const META: usize = memory.data(CACHE_SLOTS * <i32>META_BYTES, 16)
// Fill scratch: the 2 * ENTRIES points in Jacobian form, their running Z products, 2Q, and temporaries.
const JAC: usize = memory.data(2 * ENTRIES * <i32>PT, 16)
const ACC: usize = memory.data(2 * ENTRIES * <i32>FE, 16)
const TWO: usize = memory.data(<i32>PT, 16)
const INV: usize = memory.data(<i32>FE, 16)
const T1: usize = memory.data(<i32>FE, 16)
const T2: usize = memory.data(<i32>FE, 16)
const DIGITS: usize = memory.data(4 * 200, 16)

function jac(i: i32): usize {
  return JAC + <usize>i * PT
}

function acc(i: i32): usize {
  return ACC + <usize>i * FE
}

/** Affine entry i (odd multiple 2i + 1) of table t (0: Q, 1: Q') of a slot. */
function entry(slot: i32, t: i32, i: i32): usize {
  return TABLES + <usize>slot * SLOT_BYTES + <usize>t * TABLE_BYTES + <usize>i * AFF
}

function meta(slot: i32): usize {
  return META + <usize>slot * META_BYTES
}

function sameWords(a: usize, b: usize): bool {
  for (let i = 0; i < words; i++) {
    if (load<u32>(a + ((<usize>i) << 2)) != load<u32>(b + ((<usize>i) << 2))) return false
  }
  return true
}

/** o = a^-1 (Montgomery form in and out, a != 0) by Fermat: a^(p-2). */
export function finvert(o: usize, a: usize): void {
  copy(T1, a)
  copy(o, ONE_MONT)
  for (let i = (words << 5) - 1; i >= 0; i--) {
    fsqr(o, o)
    if ((load<u32>(P_MINUS_2_WORDS + ((<usize>(i >>> 5)) << 2)) >>> (i & 31)) & 1) fmul(o, o, T1)
  }
}

/**
 * Makes `slot` hold the tables of the key (xw, yw words; qx, qy its validated Montgomery limbs) on
 * the selected curve. Returns true when it had to fill the slot, false on a hit.
 */
export function ensureCached(slot: i32, xw: usize, yw: usize, qx: usize, qy: usize): bool {
  const m = meta(slot)
  if (load<i32>(m) == curveId + 1 && sameWords(m + 16, xw) && sameWords(m + 16 + FE, yw))
    return false
  store<i32>(m, 0)
  fill(slot, qx, qy)
  memory.copy(m + 16, xw, FE)
  memory.copy(m + 16 + FE, yw, FE)
  store<i32>(m, curveId + 1)
  return true
}

function fill(slot: i32, qx: usize, qy: usize): void {
  copy(X(jac(0)), qx)
  copy(Y(jac(0)), qy)
  copy(Z(jac(0)), ONE_MONT)
  copyPoint(jac(ENTRIES), jac(0))
  const h = words << 4
  for (let i = 0; i < h; i++) pointDouble(jac(ENTRIES), jac(ENTRIES))
  for (let t = 0; t < 2; t++) {
    const base = t * ENTRIES
    pointDouble(TWO, jac(base))
    for (let i = 1; i < ENTRIES; i++) pointAdd(jac(base + i), jac(base + i - 1), TWO, false)
  }
  // Batch inversion: acc(i) = Z0 ... Zi, one inversion, then each Z^-1 from the running products.
  // No Z is zero: a multiple k Q with 0 < k < n is never the identity on a prime-order curve.
  const n = 2 * ENTRIES
  copy(acc(0), Z(jac(0)))
  for (let i = 1; i < n; i++) fmul(acc(i), acc(i - 1), Z(jac(i)))
  finvert(INV, acc(n - 1))
  for (let i = n - 1; i >= 0; i--) {
    if (i > 0) fmul(T2, INV, acc(i - 1))
    else copy(T2, INV)
    if (i > 0) fmul(INV, INV, Z(jac(i)))
    const e = entry(slot, i / ENTRIES, i % ENTRIES)
    // x = X / Z^2, y = Y / Z^3
    fsqr(T1, T2)
    fmul(e, X(jac(i)), T1)
    fmul(T1, T1, T2)
    fmul(e + FE, Y(jac(i)), T1)
  }
}

function addDigit(o: usize, digits: usize, i: i32, table: usize, stride: usize, yOff: usize): bool {
  const d = <i32>load<i8>(digits + <usize>i)
  if (d == 0) return false
  const e = table + <usize>((d < 0 ? -d : d) >> 1) * stride
  pointAddAffine(o, o, e, e + yOff, d < 0)
  return true
}

/** o = u1 G + u2 Q with Q's tables in `slot` (ensureCached first); u1, u2 < n in words. */
export function mulAddCached(o: usize, u1: usize, u2: usize, slot: i32): void {
  const half = words >> 1
  const hw = (<usize>half) << 2
  const len = (half << 5) + 1
  const g = (<usize>limbs) << 2
  // No arrays: the stub runtime never frees, so the kernel allocates nothing.
  let top = wnaf(DIGITS, u1, half, W_G, len)
  top = max(top, wnaf(DIGITS + 200, u1 + hw, half, W_G, len))
  top = max(top, wnaf(DIGITS + 400, u2, half, W_C, len))
  top = max(top, wnaf(DIGITS + 600, u2 + hw, half, W_C, len))
  setInfinity(o)
  let started = false
  for (let i = top; i >= 0; i--) {
    if (started) pointDouble(o, o)
    if (addDigit(o, DIGITS, i, G_TABLE, g << 1, g)) started = true
    if (addDigit(o, DIGITS + 200, i, G_HI_TABLE, g << 1, g)) started = true
    if (addDigit(o, DIGITS + 400, i, entry(slot, 0, 0), AFF, FE)) started = true
    if (addDigit(o, DIGITS + 600, i, entry(slot, 1, 0), AFF, FE)) started = true
  }
}
