/**
 * Per-key precomputation kept across verifications: an agent's AK signs every batch,
 * so the work that depends on the key alone is done once per key and slot, not once per signature.
 * Both scalars split into `split` parts of h = bits / split bits (P-256: 8 x 32, P-384: 4 x 96;
 * gen-curves.mjs), u = sum u_j 2^(j h). A slot holds, for a key Q, the affine odd multiples
 * 1 Q_j, 3 Q_j, ..., 31 Q_j (window W_C = 6) of each Q_j = 2^(j h) Q; the build holds the same for
 * G_j = 2^(j h) G. Then
 *   u1 G + u2 Q = sum_j (u1_j G_j + u2_j Q_j)
 * runs as one interleaved chain of h doublings (an eighth or a quarter of the uncached path's) with
 * mixed additions only, a few more than with one table (each part's recoding ends with its own
 * digits). Filling a slot costs one to two uncached verifications ((split - 1) h doublings for the
 * Q_j, 15 additions per part, one field inversion shared by all points through Montgomery's
 * batch-inversion trick).
 * A slot remembers its curve and key words: a lookup compares them, so a wrong slot choice by the
 * host costs a refill, never a wrong answer. CACHE_SLOTS slots, chosen by the host (LRU).
 * Leaves out constant time (keys and signatures are public).
 * Follows: Hankerson, Menezes, Vanstone, "Guide to Elliptic Curve Cryptography" Alg. 3.51
 * (interleaving) and §3.3.2 (splitting a scalar with precomputed 2^h multiples); Montgomery's
 * simultaneous inversion (ibid. Alg. 2.26).
 */
import { MAX_SPLIT, W_G } from '../build/gen/config'
import {
  FE,
  G_TABLE,
  ONE_MONT,
  P_MINUS_2_WORDS,
  copy,
  curveId,
  fmul,
  fsqr,
  limbs,
  split,
  words,
} from './field'
import { PT, X, Y, Z, copyPoint, pointAdd, pointAddAffine, pointDouble, setInfinity } from './point'
import { wnaf } from './wnaf'

export const CACHE_SLOTS: i32 = 32
const W_C: i32 = 6
const ENTRIES: i32 = 1 << (W_C - 2)
/** An affine entry: x then y, FE bytes each. */
const AFF: usize = 2 * FE
const TABLE_BYTES: usize = <usize>ENTRIES * AFF
const SLOT_BYTES: usize = <usize>MAX_SPLIT * TABLE_BYTES
/** Most points per slot: ENTRIES odd multiples of each of the split points Q_j. */
const POINTS: i32 = MAX_SPLIT * ENTRIES
/** Bytes of wNAF digits per part: at most 96 bits (P-384) plus the recoding's carry digit. */
const DIGITS_LEN: usize = 100
/** Per slot: curve id + 1 (0 = empty), then the key's x and y words. */
const META_BYTES: usize = 16 + 2 * FE

const TABLES: usize = memory.data(CACHE_SLOTS * <i32>SLOT_BYTES, 16)
const META: usize = memory.data(CACHE_SLOTS * <i32>META_BYTES, 16)
// Fill scratch: the POINTS points in Jacobian form, their running Z products, 2 Q_j, temporaries.
const JAC: usize = memory.data(POINTS * <i32>PT, 16)
const ACC: usize = memory.data(POINTS * <i32>FE, 16)
const TWO: usize = memory.data(<i32>PT, 16)
const INV: usize = memory.data(<i32>FE, 16)
const T1: usize = memory.data(<i32>FE, 16)
const T2: usize = memory.data(<i32>FE, 16)
// Digits of u1's parts, then u2's.
const DIGITS: usize = memory.data(2 * MAX_SPLIT * <i32>DIGITS_LEN, 16)

function jac(i: i32): usize {
  return JAC + <usize>i * PT
}

function acc(i: i32): usize {
  return ACC + <usize>i * FE
}

/** Affine entry i (odd multiple 2i + 1) of table t (Q_t) of a slot. */
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
  const h = (words << 5) / split
  for (let t = 0; t < split; t++) {
    const base = t * ENTRIES
    // Q_t = 2^h Q_(t-1)
    if (t > 0) {
      copyPoint(jac(base), jac(base - ENTRIES))
      for (let i = 0; i < h; i++) pointDouble(jac(base), jac(base))
    }
    pointDouble(TWO, jac(base))
    for (let i = 1; i < ENTRIES; i++) pointAdd(jac(base + i), jac(base + i - 1), TWO, false)
  }
  // Batch inversion: acc(i) = Z0 ... Zi, one inversion, then each Z^-1 from the running products.
  // No Z is zero: a multiple k Q with 0 < k < n is never the identity on a prime-order curve.
  copy(acc(0), Z(jac(0)))
  const n = split * ENTRIES
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
  const partWords = words / split
  const len = (partWords << 5) + 1
  const g = (<usize>limbs) << 2
  const gTable = <usize>(1 << (W_G - 2)) * (g << 1)
  // No arrays: the stub runtime never frees, so the kernel allocates nothing.
  let top = -1
  for (let j = 0; j < split; j++) {
    const part = (<usize>(j * partWords)) << 2
    top = max(top, wnaf(DIGITS + <usize>j * DIGITS_LEN, u1 + part, partWords, W_G, len))
    top = max(
      top,
      wnaf(DIGITS + <usize>(MAX_SPLIT + j) * DIGITS_LEN, u2 + part, partWords, W_C, len),
    )
  }
  setInfinity(o)
  let started = false
  for (let i = top; i >= 0; i--) {
    if (started) pointDouble(o, o)
    for (let j = 0; j < split; j++) {
      const dg = DIGITS + <usize>j * DIGITS_LEN
      if (addDigit(o, dg, i, G_TABLE + <usize>j * gTable, g << 1, g)) started = true
      const dq = DIGITS + <usize>(MAX_SPLIT + j) * DIGITS_LEN
      if (addDigit(o, dq, i, entry(slot, j, 0), AFF, FE)) started = true
    }
  }
}
