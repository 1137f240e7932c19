/**
 * The field and scalar arithmetic the point code sees, for whichever curve `selectCurve` picked:
 * thin dispatchers over the generated, unrolled Montgomery routines (build/gen/p256.ts,
 * build/gen/p384.ts), plus helpers on the two layouts a value can have:
 *  - words: 32-bit little-endian words, as read from the wire; range checks, r + n, and the wNAF
 *    recoding work on these;
 *  - limbs: LIMB_BITS-bit limbs (29 for P-256, 28 for P-384) one per u32, the arithmetic layout.
 *    Values mod p live in Montgomery form and are only partly reduced, anywhere in [0, 2p) (a
 *    product skips its final subtraction); `fIsZero` and `fEqual` compare residues. Scalars mod n
 *    are always fully reduced.
 * Leaves out constant time: every input to verification is public.
 * Follows: SEC 1 v2 §2.3.7-2.3.8 for the octet-string <-> integer conversions.
 */
import * as P256 from '../build/gen/p256'
import * as P384 from '../build/gen/p384'

/** Bytes reserved per element in either layout, whatever the curve (P-384: 14 limbs = 56). */
export const FE: usize = 64

export let curveId: i32 = 0
/** Limbs per element and bits per limb for the selected curve. */
export let limbs: i32 = P256.LIMBS
export let limbBits: i32 = P256.LIMB_BITS
/** Parts of a scalar on the cached path (key-cache.ts), one generator table each. */
export let split: i32 = P256.SPLIT
/** 32-bit words per element and bytes on the wire (x, y, r, s, e) for the selected curve. */
export let words: i32 = P256.WORDS
export let bytes: i32 = P256.WORDS << 2
export let P_WORDS: usize = P256.P_WORDS
export let N_WORDS: usize = P256.N_WORDS
/** n in limbs, and n^-1 mod 2^limbBits (for scalar-inverse.ts). */
export let N_LIMBS: usize = P256.N_LIMBS
export let N_INV_LIMB: i64 = P256.N_INV_LIMB
export let B_MONT: usize = P256.B_MONT
export let ONE_MONT: usize = P256.ONE_MONT
export let R2_P: usize = P256.R2_P
export let R2_N: usize = P256.R2_N
export let G_TABLE: usize = P256.G_TABLE
export let P_MINUS_2_WORDS: usize = P256.P_MINUS_2_WORDS

/** 0 = P-256, 1 = P-384; anything else is refused. */
export function selectCurve(id: i32): bool {
  if (id == 0) {
    curveId = 0
    limbs = P256.LIMBS
    limbBits = P256.LIMB_BITS
    split = P256.SPLIT
    words = P256.WORDS
    P_WORDS = P256.P_WORDS
    N_WORDS = P256.N_WORDS
    N_LIMBS = P256.N_LIMBS
    N_INV_LIMB = P256.N_INV_LIMB
    B_MONT = P256.B_MONT
    ONE_MONT = P256.ONE_MONT
    R2_P = P256.R2_P
    R2_N = P256.R2_N
    G_TABLE = P256.G_TABLE
    P_MINUS_2_WORDS = P256.P_MINUS_2_WORDS
  } else if (id == 1) {
    curveId = 1
    limbs = P384.LIMBS
    limbBits = P384.LIMB_BITS
    split = P384.SPLIT
    words = P384.WORDS
    P_WORDS = P384.P_WORDS
    N_WORDS = P384.N_WORDS
    N_LIMBS = P384.N_LIMBS
    N_INV_LIMB = P384.N_INV_LIMB
    B_MONT = P384.B_MONT
    ONE_MONT = P384.ONE_MONT
    R2_P = P384.R2_P
    R2_N = P384.R2_N
    G_TABLE = P384.G_TABLE
    P_MINUS_2_WORDS = P384.P_MINUS_2_WORDS
  } else {
    return false
  }
  bytes = words << 2
  return true
}

// Field mod p: limbs, Montgomery form, inputs and outputs in [0, 2p).

export function fmul(o: usize, a: usize, b: usize): void {
  if (curveId == 0) P256.fpMul(o, a, b)
  else P384.fpMul(o, a, b)
}

export function fsqr(o: usize, a: usize): void {
  if (curveId == 0) P256.fpSqr(o, a)
  else P384.fpSqr(o, a)
}

export function fadd(o: usize, a: usize, b: usize): void {
  if (curveId == 0) P256.fpAdd(o, a, b)
  else P384.fpAdd(o, a, b)
}

export function fsub(o: usize, a: usize, b: usize): void {
  if (curveId == 0) P256.fpSub(o, a, b)
  else P384.fpSub(o, a, b)
}

/** o = a mod p, fully reduced. */
export function fcanon(o: usize, a: usize): void {
  if (curveId == 0) P256.fpCanon(o, a)
  else P384.fpCanon(o, a)
}

const CA: usize = memory.data(<i32>FE, 16)
const CB: usize = memory.data(<i32>FE, 16)

/** a == 0 mod p. */
export function fIsZero(a: usize): bool {
  fcanon(CA, a)
  return isZero(CA)
}

/** a == b mod p. */
export function fEqual(a: usize, b: usize): bool {
  fcanon(CA, a)
  fcanon(CB, b)
  return equal(CA, CB)
}

/** o = k a mod p for 1 <= k <= 8 (cheaper than repeated additions). */
export function fmulSmall(o: usize, a: usize, k: u64): void {
  if (curveId == 0) P256.fpMulSmall(o, a, k)
  else P384.fpMulSmall(o, a, k)
}

// Scalars mod n: limbs, Montgomery products (verify.ts turns s^-1 and e, r into u1, u2 with them).

export function nmul(o: usize, a: usize, b: usize): void {
  if (curveId == 0) P256.fnMul(o, a, b)
  else P384.fnMul(o, a, b)
}

/** The integer 1 in limbs (not Montgomery form): a Montgomery product with it divides by R. */
export const ONE: usize = memory.data<u32>([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])

/** o = a R mod p for a in limbs, a < 2^(limbs * limbBits). */
export function toMont(o: usize, a: usize): void {
  fmul(o, a, R2_P)
}

/** o = a / R mod p, fully reduced: back from Montgomery form. */
export function fromMont(o: usize, a: usize): void {
  fmul(o, a, ONE)
  fcanon(o, o)
}

// Limb layout helpers.

export function isZero(a: usize): bool {
  for (let i = 0; i < limbs; i++) if (load<u32>(a + ((<usize>i) << 2)) != 0) return false
  return true
}

export function equal(a: usize, b: usize): bool {
  for (let i = 0; i < limbs; i++) {
    const k = (<usize>i) << 2
    if (load<u32>(a + k) != load<u32>(b + k)) return false
  }
  return true
}

export function copy(o: usize, a: usize): void {
  memory.copy(o, a, (<usize>limbs) << 2)
}

export function setZero(o: usize): void {
  memory.fill(o, 0, (<usize>limbs) << 2)
}

/** Words -> limbs (the value must fit in limbs * limbBits bits, which any word value does). */
export function toLimbs(o: usize, w: usize): void {
  const mask: u32 = (1 << limbBits) - 1
  for (let j = 0; j < limbs; j++) {
    const pos = j * limbBits
    const wi = pos >>> 5
    let v: u64 = 0
    if (wi < words) v = <u64>load<u32>(w + ((<usize>wi) << 2))
    if (wi + 1 < words) v |= (<u64>load<u32>(w + ((<usize>(wi + 1)) << 2))) << 32
    store<u32>(o + ((<usize>j) << 2), (<u32>(v >> (pos & 31))) & mask)
  }
}

/** Limbs -> words (the value must be below 2^(32 words), true of anything reduced mod p or n). */
export function toWords(o: usize, l: usize): void {
  memory.fill(o, 0, (<usize>words) << 2)
  for (let j = 0; j < limbs; j++) {
    const pos = j * limbBits
    const wi = pos >>> 5
    const v = (<u64>load<u32>(l + ((<usize>j) << 2))) << (pos & 31)
    const at = o + ((<usize>wi) << 2)
    if (wi < words) store<u32>(at, load<u32>(at) | (<u32>v))
    if (wi + 1 < words) store<u32>(at + 4, load<u32>(at + 4) | (<u32>(v >> 32)))
  }
}

// Word layout helpers.

export function isZeroWords(a: usize): bool {
  for (let i = 0; i < words; i++) if (load<u32>(a + ((<usize>i) << 2)) != 0) return false
  return true
}

/** a < b as unsigned integers. */
export function lessWords(a: usize, b: usize): bool {
  for (let i = words - 1; i >= 0; i--) {
    const k = (<usize>i) << 2
    const x = load<u32>(a + k)
    const y = load<u32>(b + k)
    if (x != y) return x < y
  }
  return false
}

/** o = a + b; returns the carry out of the top word. */
export function addWords(o: usize, a: usize, b: usize): u32 {
  let c: u64 = 0
  for (let i = 0; i < words; i++) {
    const k = (<usize>i) << 2
    c += <u64>load<u32>(a + k) + <u64>load<u32>(b + k)
    store<u32>(o + k, <u32>c)
    c >>= 32
  }
  return <u32>c
}

/** o = a - b (caller guarantees a >= b). */
export function subWords(o: usize, a: usize, b: usize): void {
  let bw: u64 = 0
  for (let i = 0; i < words; i++) {
    const k = (<usize>i) << 2
    const d = <u64>load<u32>(a + k) - <u64>load<u32>(b + k) - bw
    store<u32>(o + k, <u32>d)
    bw = d >> 63
  }
}

/** Reads `bytes` big-endian octets at `src` into words at `o`. */
export function loadBE(o: usize, src: usize): void {
  const top = <usize>bytes
  for (let i = 0; i < words; i++) {
    store<u32>(o + ((<usize>i) << 2), bswap<u32>(load<u32>(src + top - ((<usize>(i + 1)) << 2))))
  }
}

/** Writes the words at `a` as `bytes` big-endian octets at `dst`. */
export function storeBE(dst: usize, a: usize): void {
  const top = <usize>bytes
  for (let i = 0; i < words; i++) {
    store<u32>(dst + top - ((<usize>(i + 1)) << 2), bswap<u32>(load<u32>(a + ((<usize>i) << 2))))
  }
}
