/**
 * The Wasm ECDSA kernel stage by stage, against independent references: field arithmetic mod p and
 * scalar arithmetic mod n against BigInt, the generator table against @noble/curves, the wNAF
 * recoding against its definition, and u1 G + u2 Q against noble, including the exceptional
 * additions (P + P, P + (-P), results at infinity) that the double-scalar walk can meet.
 * Inputs: fast-check with a fixed seed plus hand-picked edge values (0, 1, p - 1, limb boundaries).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CURVES, SPLIT, kernel, modulo, type TestCurve } from './ecdsa-helpers.ts'

const SEED = 0x7ec0de
const k = kernel()

const OPS = ['mul', 'sqr', 'add', 'sub'] as const
const expected = (c: TestCurve, op: number, a: bigint, b: bigint): bigint =>
  op === 0
    ? (a * b) % c.p
    : op === 1
      ? (a * a) % c.p
      : op === 2
        ? (a + b) % c.p
        : modulo(a - b, c.p)

/** Values that sit on limb and word boundaries or at the ends of the range. */
function edges(m: bigint, bits: number): bigint[] {
  const out = [0n, 1n, 2n, m - 1n, m - 2n, (m - 1n) / 2n, (m + 1n) / 2n]
  for (const limb of [28, 29, 32]) {
    for (let i = limb; i < bits; i += limb) out.push((1n << BigInt(i)) - 1n, 1n << BigInt(i))
  }
  return out.filter((v) => v >= 0n && v < m)
}

describe.each(CURVES)('$name kernel arithmetic', (c) => {
  const bits = 8 * c.size
  const fieldArb = fc.oneof(
    fc.bigInt({ min: 0n, max: c.p - 1n }),
    fc.constantFrom(...edges(c.p, bits)),
  )
  const scalarArb = fc.oneof(
    fc.bigInt({ min: 0n, max: c.n - 1n }),
    fc.constantFrom(...edges(c.n, bits)),
  )

  it.each(OPS.map((name, op) => ({ name, op })))('field $name mod p matches BigInt', ({ op }) => {
    fc.assert(
      fc.property(fieldArb, fieldArb, (a, b) => {
        k.put(0, a, c.size)
        k.put(1, b, c.size)
        expect(k.testArith(c.id, op)).toBe(0)
        expect(k.get(2, c.size)).toBe(expected(c, op, a, b))
      }),
      { seed: SEED, numRuns: 1000 },
    )
  })

  it('every pair of edge values through every field operation', () => {
    const e = edges(c.p, bits)
    for (const a of e) {
      for (const b of e) {
        k.put(0, a, c.size)
        k.put(1, b, c.size)
        for (let op = 0; op < 4; op++) {
          k.testArith(c.id, op)
          expect(k.get(2, c.size)).toBe(expected(c, op, a, b))
        }
      }
    }
  })

  it('field multiplication by 1..8 matches BigInt', () => {
    fc.assert(
      fc.property(fieldArb, fc.integer({ min: 1, max: 8 }), (a, m) => {
        k.put(0, a, c.size)
        k.put(1, BigInt(m), c.size)
        expect(k.testArith(c.id, 6)).toBe(0)
        expect(k.get(2, c.size)).toBe((a * BigInt(m)) % c.p)
      }),
      { seed: SEED, numRuns: 1000 },
    )
    k.put(0, c.p - 1n, c.size)
    k.put(1, 9n, c.size)
    expect(k.testArith(c.id, 6)).toBe(-1)
  })

  it('scalar product and inverse mod n match BigInt', () => {
    fc.assert(
      fc.property(scalarArb, scalarArb, (a, b) => {
        k.put(0, a, c.size)
        k.put(1, b, c.size)
        expect(k.testArith(c.id, 4)).toBe(0)
        expect(k.get(2, c.size)).toBe((a * b) % c.n)
        if (a !== 0n) {
          expect(k.testArith(c.id, 5)).toBe(0)
          expect((k.get(2, c.size) * a) % c.n).toBe(1n)
        }
      }),
      { seed: SEED, numRuns: 300 },
    )
  })

  // The divsteps inversion (scalar-inverse.ts) skips runs of zero bits, ends on f = +1 or -1, and
  // brings d in (-2n, 2n) into [0, n): small, sparse, near-n and near-power-of-two inputs hit those.
  it('scalar inverse mod n is fully reduced on edge and sparse values', () => {
    const inverse = (a: bigint) => {
      k.put(0, a, c.size)
      expect(k.testArith(c.id, 5)).toBe(0)
      const inv = k.get(2, c.size)
      expect(inv).toBeLessThan(c.n)
      expect((inv * a) % c.n).toBe(1n)
    }
    const values = [1n, 2n, 3n, c.n - 1n, c.n - 2n, (c.n - 1n) / 2n, (c.n + 1n) / 2n]
    for (let i = 0n; i < BigInt(bits); i++) {
      const two = 1n << i
      values.push(two, two - 1n, two + 1n, c.n - two)
    }
    for (const a of values) if (a > 0n && a < c.n) inverse(a)
    const sparse = fc
      .array(fc.nat(bits - 1), { minLength: 1, maxLength: 6 })
      .map((ks) => ks.reduce((v, i) => v | (1n << BigInt(i)), 0n) % c.n)
      .filter((a) => a !== 0n)
    fc.assert(fc.property(sparse, inverse), { seed: SEED, numRuns: 500 })
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: c.n - 1n }), inverse), {
      seed: SEED,
      numRuns: 2000,
    })
  })

  it('generator table entry i is (2i + 1) G, affine', () => {
    for (let i = 0; i < 64; i++) {
      expect(k.testGTable(c.id, i)).toBe(0)
      const P = c.noble.Point.BASE.multiply(BigInt(2 * i + 1)).toAffine()
      expect([k.get(0, c.size), k.get(1, c.size)]).toEqual([P.x, P.y])
    }
  })

  it('the tables of the split parts follow: entry 64 j + i is (2i + 1) 2^(j h) G', () => {
    const split = SPLIT[c.name]
    const h = BigInt(bits / split)
    for (let j = 1; j < split; j++) {
      for (const i of [0, 1, 2, 31, 62, 63]) {
        expect(k.testGTable(c.id, 64 * j + i)).toBe(0)
        const P = c.noble.Point.BASE.multiply(BigInt(2 * i + 1) << (BigInt(j) * h)).toAffine()
        expect([k.get(0, c.size), k.get(1, c.size)]).toEqual([P.x, P.y])
      }
    }
    expect(k.testGTable(c.id, split * 64)).toBe(-1)
    expect(k.testGTable(c.id, -1)).toBe(-1)
  })

  it.each([2, 5, 8])('wNAF with window %i recodes the scalar', (w) => {
    const anyScalar = fc.oneof(
      fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
      fc.constantFrom(0n, 1n, c.n - 1n, (1n << BigInt(bits)) - 1n, 1n << BigInt(bits - 1)),
    )
    fc.assert(
      fc.property(anyScalar, (s) => {
        k.put(0, s, c.size)
        const top = k.testWnaf(c.id, w)
        const digits = new Int8Array(k.bytesAt(512, bits + 1).buffer)
        let sum = 0n
        let lastNonZero = -w
        const bad: string[] = []
        for (let i = 0; i <= bits; i++) {
          const d = digits[i]!
          if (d === 0) continue
          if (d % 2 === 0 || Math.abs(d) >= 1 << (w - 1)) bad.push(`digit ${d} at ${i}`)
          if (i - lastNonZero < w) bad.push(`digits closer than ${w} at ${i}`)
          lastNonZero = i
          sum += BigInt(d) << BigInt(i)
        }
        expect(bad).toEqual([])
        expect(sum).toBe(s)
        expect(top).toBe(s === 0n ? -1 : lastNonZero)
      }),
      { seed: SEED, numRuns: 500 },
    )
  })

  /** Jacobian result of the kernel for u1 G + u2 Q, checked against noble's affine answer. */
  function checkMulAdd(u1: bigint, u2: bigint, Q: { x: bigint; y: bigint }) {
    k.put(0, u1, c.size)
    k.put(1, u2, c.size)
    k.put(2, Q.x, c.size)
    k.put(3, Q.y, c.size)
    const atInfinity = k.testMulAdd(c.id)
    const { Point } = c.noble
    const want = Point.BASE.multiplyUnsafe(u1).add(Point.fromAffine(Q).multiplyUnsafe(u2))
    if (want.is0()) {
      expect(atInfinity).toBe(1)
      return
    }
    expect(atInfinity).toBe(0)
    const { x, y } = want.toAffine()
    const X = k.get(4, c.size)
    const Y = k.get(5, c.size)
    const Z = k.get(6, c.size)
    const z2 = (Z * Z) % c.p
    expect(Z).not.toBe(0n)
    expect(X).toBe((x * z2) % c.p)
    expect(Y).toBe((y * z2 * Z) % c.p)
  }

  it('u1 G + u2 Q matches noble for random scalars and keys', () => {
    const scalar = fc.bigInt({ min: 0n, max: c.n - 1n })
    fc.assert(
      fc.property(scalar, scalar, fc.bigInt({ min: 1n, max: c.n - 1n }), (u1, u2, d) => {
        checkMulAdd(u1, u2, c.noble.Point.BASE.multiply(d).toAffine())
      }),
      { seed: SEED, numRuns: 60 },
    )
  })

  it('u1 G + u2 Q through the exceptional additions', () => {
    const { Point } = c.noble
    const G = Point.BASE.toAffine()
    const minusG = Point.BASE.negate().toAffine()
    const threeG = Point.BASE.multiply(3n).toAffine()
    const n = c.n
    const cases: [bigint, bigint, { x: bigint; y: bigint }][] = [
      [1n, 1n, G], // G + G: the addition must fall back to doubling
      [5n, 5n, G],
      [1n, n - 1n, G], // G - G: infinity
      [7n, 7n, minusG], // 7G - 7G
      [3n, 1n, minusG], // 3G - G
      [0n, 1n, G],
      [1n, 0n, G],
      [0n, 0n, G], // both zero: infinity
      [n - 1n, n - 1n, G],
      [n - 3n, 1n, threeG], // -3G + 3G
      [2n, n - 6n, threeG],
      [123456789n, n - 123456789n, G],
      [(n - 1n) / 2n, (n + 1n) / 2n, G], // n G
      // Q = G, u2 = 1025 (wNAF digits +1 at bit 0, +1 at bit 10) and u1 = n - 1023 (even): the
      // accumulator is (n + 1) G = G just before bit 0's Q digit, so the Jacobian addition meets
      // G + G and must fall back to doubling; with u2 = 1023 (digit -1 at bit 0) it meets G - G.
      [n - 1023n, 1025n, G],
      [n - 1023n, 1023n, G],
    ]
    for (const [u1, u2, Q] of cases) checkMulAdd(u1, u2, Q)
  })
})
