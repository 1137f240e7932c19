/**
 * Shared fixtures for the Wasm ECDSA kernel tests: the compiled module (imported the way the worker
 * imports it), direct access to the kernel's I/O slots for the intermediate-value hooks, the curves
 * as @noble/curves sees them, and an independent ECDSA verification oracle built from noble's
 * field and point arithmetic (SEC 1 §4.1.4) that can reuse precomputed tables for a key, which
 * noble's own `verify` cannot. Not a test file itself.
 */
import { p256, p384 } from '@noble/curves/nist.js'
import mod from '../../wasm/build/ecdsa.wasm'
import { bigIntToBytes, bytesToBigInt } from '../../attest/bytes/encoding.ts'

export { mod }

export type Noble = typeof p256

export interface TestCurve {
  name: 'P-256' | 'P-384'
  id: number
  noble: Noble
  size: number
  p: bigint
  n: bigint
  b: bigint
}

function curve(name: 'P-256' | 'P-384', id: number, noble: Noble): TestCurve {
  const { p, n, b } = noble.Point.CURVE()
  return { name, id, noble, size: noble.Point.Fp.BYTES, p, n, b }
}

export const CURVES: TestCurve[] = [curve('P-256', 0, p256), curve('P-384', 1, p384)]

/** Parts a scalar splits into on the kernel's cached path (wasm/ecdsa/gen-curves.mjs `split`). */
export const SPLIT: Record<TestCurve['name'], number> = { 'P-256': 8, 'P-384': 4 }

export const be = (v: bigint, len: number): Uint8Array => bigIntToBytes(v, len)
export const int = (b: Uint8Array): bigint => bytesToBigInt(b)
export const modulo = (a: bigint, m: bigint): bigint => ((a % m) + m) % m

/** Raw kernel exports, including the test hooks. */
export interface Kernel {
  memory: WebAssembly.Memory
  io(): number
  verify(curve: number): number
  testArith(curve: number, op: number): number
  testGTable(curve: number, i: number): number
  testWnaf(curve: number, w: number): number
  testMulAdd(curve: number): number
  testMulAddCached(curve: number, slot: number): number
  verifyCached(curve: number, slot: number): number
  cacheSlots(): number
}

export const SLOT = 48

export function kernel(): Kernel & {
  put(slot: number, v: bigint, size: number): void
  get(slot: number, size: number): bigint
  bytesAt(offset: number, len: number): Uint8Array
} {
  const k = new WebAssembly.Instance(mod, {}).exports as unknown as Kernel
  const io = k.io()
  const mem = () => new Uint8Array(k.memory.buffer)
  return Object.assign(Object.create(null) as object, k, {
    put(slot: number, v: bigint, size: number) {
      mem().set(be(v, size), io + slot * SLOT)
    },
    get(slot: number, size: number) {
      return int(mem().slice(io + slot * SLOT, io + slot * SLOT + size))
    },
    bytesAt(offset: number, len: number) {
      return mem().slice(io + offset, io + offset + len)
    },
  })
}

/** SEC 1 §4.1.3 step 5 with noble's convention: leftmost bits of the order's length, mod n. */
export function digestToScalar(c: TestCurve, digest: Uint8Array): bigint {
  const bits = c.n.toString(2).length
  const e = int(digest)
  const excess = digest.length * 8 - bits
  return modulo(excess > 0 ? e >> BigInt(excess) : e, c.n)
}

export type Outcome = boolean | 'bad-key'

/**
 * Reference answer from noble's arithmetic. Key validity: exactly `size` bytes per coordinate and
 * noble's `assertValidity` (in range, on the curve, not the identity). The public key may be a
 * point prepared with `precompute`, which is where the speed comes from.
 */
export function nobleArithmeticVerify(
  c: TestCurve,
  Q: InstanceType<Noble['Point']> | null,
  digest: Uint8Array,
  r: Uint8Array,
  s: Uint8Array,
): Outcome {
  if (Q === null) return 'bad-key'
  const R = int(r)
  const S = int(s)
  if (R <= 0n || R >= c.n || S <= 0n || S >= c.n) return false
  const Fn = c.noble.Point.Fn
  const w = Fn.inv(S)
  const u1 = Fn.create(digestToScalar(c, digest) * w)
  const u2 = Fn.create(R * w)
  const X = c.noble.Point.BASE.multiplyUnsafe(u1).add(Q.multiplyUnsafe(u2))
  if (X.is0()) return false
  return Fn.create(X.toAffine().x) === R
}

/** noble's point for (x, y), or null when noble rejects it as a public key. */
export function noblePoint(
  c: TestCurve,
  x: Uint8Array,
  y: Uint8Array,
): InstanceType<Noble['Point']> | null {
  if (x.length !== c.size || y.length !== c.size) return null
  try {
    const P = c.noble.Point.fromAffine({ x: int(x), y: int(y) })
    P.assertValidity()
    return P
  } catch {
    return null
  }
}

/** Reference answer from noble's own `verify` (SEC 1 uncompressed key, compact signature). */
export function nobleVerify(
  c: TestCurve,
  x: Uint8Array,
  y: Uint8Array,
  digest: Uint8Array,
  r: Uint8Array,
  s: Uint8Array,
): Outcome {
  if (noblePoint(c, x, y) === null) return 'bad-key'
  const R = int(r)
  const S = int(s)
  // A value that does not fit the compact encoding is >= 2^bits > n: invalid for noble too.
  if (R >= 1n << BigInt(8 * c.size) || S >= 1n << BigInt(8 * c.size)) return false
  const sig = new Uint8Array(2 * c.size)
  sig.set(be(R, c.size), 0)
  sig.set(be(S, c.size), c.size)
  const pub = new Uint8Array(1 + 2 * c.size)
  pub[0] = 4
  pub.set(x, 1)
  pub.set(y, 1 + c.size)
  return c.noble.verify(sig, digest, pub, { prehash: false, lowS: false, format: 'compact' })
}
