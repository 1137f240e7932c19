/**
 * Inversion modulo the group order n by Fermat's little theorem (a^(n-2) = a^-1, n prime), with a
 * fixed 4-bit window: about 256 (P-256) or 384 (P-384) squarings and a quarter as many products.
 * Works in the Montgomery domain: given aR mod n it returns a^-1 R mod n, so one further Montgomery
 * product with a plain integer x yields x a^-1 mod n with no conversion back.
 * Leaves out a = 0 (the caller has rejected s = 0) and constant time (s is public).
 * Follows: SEC 1 v2 §4.1.4 step 4 (u1 = e s^-1, u2 = r s^-1 mod n).
 */
import { FE, N_MINUS_2_WORDS, copy, nmul, nsqr, words } from './field'

const TABLE: usize = memory.data(16 * <i32>FE, 16)

function entry(i: u32): usize {
  return TABLE + <usize>i * FE
}

function nibble(e: usize, i: i32): u32 {
  return (load<u32>(e + ((<usize>(i >>> 3)) << 2)) >>> ((i & 7) << 2)) & 15
}

/** o = a^-1 R mod n for aM = a R mod n, a != 0. */
export function scalarInvertMont(o: usize, aM: usize): void {
  copy(entry(1), aM)
  for (let i: u32 = 2; i < 16; i++) nmul(entry(i), entry(i - 1), aM)
  let i = (words << 3) - 1
  while (nibble(N_MINUS_2_WORDS, i) == 0) i--
  copy(o, entry(nibble(N_MINUS_2_WORDS, i)))
  for (i--; i >= 0; i--) {
    nsqr(o, o)
    nsqr(o, o)
    nsqr(o, o)
    nsqr(o, o)
    const d = nibble(N_MINUS_2_WORDS, i)
    if (d != 0) nmul(o, o, entry(d))
  }
}
