/**
 * ECDSA signature verification for P-256 and P-384 over public inputs: the key (x, y), the message
 * representative e (the caller has already truncated the digest to the order's bit length), and
 * (r, s), each `bytes` big-endian octets at consecutive SLOT-byte offsets of the I/O area.
 * Checks, in order: key coordinates < p and the key on the curve (it cannot be the identity, which
 * has no affine form); 0 < r, s < n; then R = u1 G + u2 Q is not the identity and x(R) mod n == r,
 * compared projectively (X == r Z^2, or (r + n) Z^2 when r + n < p), so no field inversion is needed.
 * Leaves out hashing, signature decoding (DER/P1363) and constant time.
 * Follows: SEC 1 v2 §4.1.4 (verification) and §3.2.2.1 (public key validation); FIPS 186-5 §6.4.2.
 */
import {
  FE,
  B_MONT,
  N_WORDS,
  P_WORDS,
  R2_N,
  addWords,
  fEqual,
  fadd,
  fmul,
  fsqr,
  fsub,
  isZeroWords,
  lessWords,
  loadBE,
  nmul,
  selectCurve,
  subWords,
  toLimbs,
  toMont,
  toWords,
} from './field'
import { ensureCached, mulAddCached, CACHE_SLOTS } from './key-cache'
import { mulAdd } from './mul-add'
import { PT, X, Z, isInfinity } from './point'
import { scalarInvert } from './scalar-inverse'

export const VALID: i32 = 1
export const INVALID: i32 = 0
export const BAD_KEY: i32 = -1
export const BAD_CURVE: i32 = -2

/** Distance between inputs in the I/O area (a P-384 value is 48 bytes). */
export const SLOT: usize = 48

// Words (w) and limbs of the inputs, and scratch.
const QXW: usize = memory.data(<i32>FE, 16)
const QYW: usize = memory.data(<i32>FE, 16)
const EW: usize = memory.data(<i32>FE, 16)
const RW: usize = memory.data(<i32>FE, 16)
const SW: usize = memory.data(<i32>FE, 16)
const QX: usize = memory.data(<i32>FE, 16)
const QY: usize = memory.data(<i32>FE, 16)
const E: usize = memory.data(<i32>FE, 16)
const R: usize = memory.data(<i32>FE, 16)
const S: usize = memory.data(<i32>FE, 16)
const U1W: usize = memory.data(<i32>FE, 16)
const U2W: usize = memory.data(<i32>FE, 16)
const T1: usize = memory.data(<i32>FE, 16)
const T2: usize = memory.data(<i32>FE, 16)
const ACC: usize = memory.data(<i32>PT, 16)

/** x, y: a key in Montgomery limbs; true when y^2 == x^3 - 3x + b. */
export function onCurve(x: usize, y: usize): bool {
  fsqr(T1, y)
  fsqr(T2, x)
  fmul(T2, T2, x)
  fsub(T2, T2, x)
  fsub(T2, T2, x)
  fsub(T2, T2, x)
  fadd(T2, T2, B_MONT)
  return fEqual(T1, T2)
}

/**
 * Verifies the inputs at `io`; VALID, INVALID, BAD_KEY or BAD_CURVE. With `slot` in
 * [0, CACHE_SLOTS) the key's precomputation is taken from (or first put into) that cache slot
 * (key-cache.ts); -1 computes it for this call only. An out-of-range slot is BAD_CURVE.
 */
export function verifyAt(curve: i32, io: usize, slot: i32 = -1): i32 {
  if (!selectCurve(curve) || slot < -1 || slot >= CACHE_SLOTS) return BAD_CURVE
  loadBE(QXW, io)
  loadBE(QYW, io + SLOT)
  loadBE(EW, io + 2 * SLOT)
  loadBE(RW, io + 3 * SLOT)
  loadBE(SW, io + 4 * SLOT)

  if (!lessWords(QXW, P_WORDS) || !lessWords(QYW, P_WORDS)) return BAD_KEY
  toLimbs(QX, QXW)
  toLimbs(QY, QYW)
  toMont(QX, QX)
  toMont(QY, QY)
  if (!onCurve(QX, QY)) return BAD_KEY

  if (isZeroWords(RW) || !lessWords(RW, N_WORDS)) return INVALID
  if (isZeroWords(SW) || !lessWords(SW, N_WORDS)) return INVALID
  // e < 2^bits < 2n for both curves, so one subtraction reduces it.
  if (!lessWords(EW, N_WORDS)) subWords(EW, EW, N_WORDS)
  toLimbs(E, EW)
  toLimbs(R, RW)
  toLimbs(S, SW)

  // u1 = e s^-1, u2 = r s^-1 mod n: the inverse goes into Montgomery form, the products leave it.
  scalarInvert(T1, S)
  nmul(T2, T1, R2_N)
  nmul(T1, E, T2)
  toWords(U1W, T1)
  nmul(T1, R, T2)
  toWords(U2W, T1)
  if (slot < 0) mulAdd(ACC, U1W, U2W, QX, QY)
  else {
    ensureCached(slot, QXW, QYW, QX, QY)
    mulAddCached(ACC, U1W, U2W, slot)
  }
  if (isInfinity(ACC)) return INVALID

  // x(R) = X / Z^2 lies in [0, p); it reduces to r mod n iff it equals r or r + n.
  fsqr(T1, Z(ACC))
  toMont(T2, R)
  fmul(T2, T2, T1)
  if (fEqual(T2, X(ACC))) return VALID
  if (addWords(U1W, RW, N_WORDS) == 0 && lessWords(U1W, P_WORDS)) {
    toLimbs(T2, U1W)
    toMont(T2, T2)
    fmul(T2, T2, T1)
    if (fEqual(T2, X(ACC))) return VALID
  }
  return INVALID
}
