/**
 * Entry point of ecdsa.wasm, the verify-only ECDSA kernel for P-256 and P-384. The host writes
 * big-endian inputs into the I/O area (`io()`), calls `verify(curve)` and reads a status code;
 * nothing is allocated and nothing is imported. The `test*` exports expose intermediates (field
 * and scalar arithmetic, the generator table, wNAF digits, u1 G + u2 Q) so tests can compare each
 * stage with an independent implementation; verification never calls them.
 * I/O slots are SLOT = 48 bytes apart; a value of 32 (P-256) or 48 (P-384) octets fills the start
 * of its slot.
 * Leaves out hashing and signature decoding (attest/crypto does those).
 */
import { W_G } from '../build/gen/config'
import {
  FE,
  G_TABLE,
  R2_N,
  fadd,
  fmul,
  fmulSmall,
  fromMont,
  fsqr,
  fsub,
  limbs,
  loadBE,
  nmul,
  selectCurve,
  split,
  storeBE,
  toLimbs,
  toMont,
  toWords,
  words,
} from './field'
import { CACHE_SLOTS, ensureCached, mulAddCached } from './key-cache'
import { mulAdd } from './mul-add'
import { PT, X, Y, Z, isInfinity } from './point'
import { scalarInvert } from './scalar-inverse'
import { SLOT, verifyAt } from './verify'
import { wnaf } from './wnaf'

const IO: usize = memory.data(1024, 16)
const A: usize = memory.data(<i32>FE, 16)
const B: usize = memory.data(<i32>FE, 16)
const C: usize = memory.data(<i32>FE, 16)
const D: usize = memory.data(<i32>FE, 16)
const W: usize = memory.data(<i32>FE, 16)
const ACC: usize = memory.data(<i32>PT, 16)
const KXW: usize = memory.data(<i32>FE, 16)
const KYW: usize = memory.data(<i32>FE, 16)

/** Address of the I/O area: slots 0-4 take x, y, e, r, s for `verify`. */
export function io(): usize {
  return IO
}

/** 1 valid, 0 invalid signature, -1 invalid public key, -2 unsupported curve (0 P-256, 1 P-384). */
export function verify(curve: i32): i32 {
  return verifyAt(curve, IO)
}

/**
 * `verify` with the key's precomputation kept in cache slot `slot` (0 <= slot < cacheSlots()):
 * the host picks the slot per key (LRU); the slot checks the key itself, so a stale choice only
 * costs a refill. Same answers as `verify`; -2 also for a slot out of range.
 */
export function verifyCached(curve: i32, slot: i32): i32 {
  return verifyAt(curve, IO, slot)
}

export function cacheSlots(): i32 {
  return CACHE_SLOTS
}

/** Big-endian slot -> limbs. */
function readSlot(o: usize, slot: i32): void {
  loadBE(W, IO + <usize>slot * SLOT)
  toLimbs(o, W)
}

/** Limbs (reduced) -> big-endian slot. */
function writeSlot(slot: i32, a: usize): void {
  toWords(W, a)
  storeBE(IO + <usize>slot * SLOT, W)
}

/**
 * Slot 2 = op(slot 0, slot 1), plain integers in and out (inputs must be reduced):
 * 0 a*b mod p, 1 a^2 mod p, 2 a+b mod p, 3 a-b mod p, 4 a*b mod n, 5 a^-1 mod n (a != 0),
 * 6 b*a mod p for 1 <= b <= 8.
 */
export function testArith(curve: i32, op: i32): i32 {
  if (!selectCurve(curve)) return -2
  readSlot(A, 0)
  readSlot(B, 1)
  if (op <= 3 || op == 6) {
    const k = load<u32>(B)
    toMont(A, A)
    toMont(B, B)
    if (op == 0) fmul(C, A, B)
    else if (op == 1) fsqr(C, A)
    else if (op == 2) fadd(C, A, B)
    else if (op == 3) fsub(C, A, B)
    else if (k >= 1 && k <= 8) fmulSmall(C, A, k)
    else return -1
    fromMont(C, C)
  } else if (op == 4) {
    nmul(C, A, R2_N)
    nmul(C, C, B)
  } else if (op == 5) {
    scalarInvert(C, A)
  } else {
    return -1
  }
  writeSlot(2, C)
  return 0
}

/**
 * Slots 0, 1 = affine x, y (plain) of generator table entry i = 2^(W_G-2) j + m, which should be
 * (2m + 1) 2^(j h) G (table j < split of the split parts, key-cache.ts); -1 past the last table.
 */
export function testGTable(curve: i32, i: i32): i32 {
  if (!selectCurve(curve)) return -2
  if (i < 0 || i >= split << (W_G - 2)) return -1
  const e = G_TABLE + <usize>i * ((<usize>limbs) << 3)
  fromMont(A, e)
  fromMont(B, e + ((<usize>limbs) << 2))
  writeSlot(0, A)
  writeSlot(1, B)
  return 0
}

/** wNAF digits (i8) of the scalar in slot 0 with window w, written from IO + 512; returns top. */
export function testWnaf(curve: i32, w: i32): i32 {
  if (!selectCurve(curve)) return -2
  loadBE(W, IO)
  return wnaf(IO + 512, W, words, w, (words << 5) + 1)
}

/**
 * Slots 4-6 = Jacobian X, Y, Z (plain) of u1 G + u2 Q for u1 (slot 0), u2 (slot 1), Q = (slot 2,
 * slot 3); returns 1 when the result is the identity.
 */
export function testMulAdd(curve: i32): i32 {
  if (!selectCurve(curve)) return -2
  loadBE(A, IO)
  loadBE(B, IO + SLOT)
  readSlot(C, 2)
  readSlot(D, 3)
  toMont(C, C)
  toMont(D, D)
  mulAdd(ACC, A, B, C, D)
  if (isInfinity(ACC)) return 1
  fromMont(A, X(ACC))
  fromMont(B, Y(ACC))
  fromMont(C, Z(ACC))
  writeSlot(4, A)
  writeSlot(5, B)
  writeSlot(6, C)
  return 0
}

/**
 * testMulAdd through cache slot `slot`: the same slots 0-3 in, 4-6 out; returns 1 for the
 * identity, else 2 when the slot had to be filled and 0 on a hit.
 */
export function testMulAddCached(curve: i32, slot: i32): i32 {
  if (!selectCurve(curve) || slot < 0 || slot >= CACHE_SLOTS) return -2
  loadBE(A, IO)
  loadBE(B, IO + SLOT)
  loadBE(KXW, IO + 2 * SLOT)
  loadBE(KYW, IO + 3 * SLOT)
  readSlot(C, 2)
  readSlot(D, 3)
  toMont(C, C)
  toMont(D, D)
  const filled = ensureCached(slot, KXW, KYW, C, D)
  mulAddCached(ACC, A, B, slot)
  if (isInfinity(ACC)) return 1
  fromMont(A, X(ACC))
  fromMont(B, Y(ACC))
  fromMont(C, Z(ACC))
  writeSlot(4, A)
  writeSlot(5, B)
  writeSlot(6, C)
  return filled ? 2 : 0
}
