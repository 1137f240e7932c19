/**
 * The Wasm kernel's per-key cache (wasm/ecdsa/key-cache.ts) against @noble/curves: u1 G + u2 Q
 * through a cache slot (scalars split in parts of h bits, cached affine tables of the 2^(j h) Q,
 * build-time tables of the 2^(j h) G) for random and exceptional inputs (every split point included); a slot refills when another key or curve takes it and
 * is reused otherwise; and the backend with the cache gives the same answers as without it while
 * more keys than slots take turns, bad keys and bad signatures included.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createWasmEcdsaBackend } from '../../attest/crypto/ecdsa-wasm.ts'
import { CURVES, SPLIT, be, kernel, mod, type TestCurve } from './ecdsa-helpers.ts'
import { code } from '../helpers/error-code.ts'

const SEED = 0x5107
const k = kernel()

const FILLED = 2
const HIT = 0

/** u1 G + u2 Q through `slot`, checked against noble; returns the fill flag. */
function checkCached(
  c: TestCurve,
  slot: number,
  u1: bigint,
  u2: bigint,
  Q: { x: bigint; y: bigint },
): number {
  k.put(0, u1, c.size)
  k.put(1, u2, c.size)
  k.put(2, Q.x, c.size)
  k.put(3, Q.y, c.size)
  const rc = k.testMulAddCached(c.id, slot)
  const { Point } = c.noble
  const want = Point.BASE.multiplyUnsafe(u1).add(Point.fromAffine(Q).multiplyUnsafe(u2))
  if (want.is0()) {
    expect(rc).toBe(1)
    return rc
  }
  expect([FILLED, HIT]).toContain(rc)
  const { x, y } = want.toAffine()
  const [X, Y, Z] = [k.get(4, c.size), k.get(5, c.size), k.get(6, c.size)]
  const z2 = (Z * Z) % c.p
  expect(Z).not.toBe(0n)
  expect(X).toBe((x * z2) % c.p)
  expect(Y).toBe((y * z2 * Z) % c.p)
  return rc
}

describe.each(CURVES)('$name cached u1 G + u2 Q', (c) => {
  const key = (d: bigint) => c.noble.Point.BASE.multiply(d).toAffine()

  it('matches noble for random scalars and keys', () => {
    const scalar = fc.bigInt({ min: 0n, max: c.n - 1n })
    fc.assert(
      fc.property(
        scalar,
        scalar,
        fc.bigInt({ min: 1n, max: c.n - 1n }),
        fc.nat(k.cacheSlots() - 1),
        (u1, u2, d, slot) => {
          checkCached(c, slot, u1, u2, key(d))
        },
      ),
      { seed: SEED, numRuns: 60 },
    )
  })

  it('matches noble through the exceptional additions and at the splits', () => {
    const { Point } = c.noble
    const G = Point.BASE.toAffine()
    const n = c.n
    const cases: [bigint, bigint, { x: bigint; y: bigint }][] = [
      [1n, 1n, G], // G + G
      [1n, n - 1n, G], // G - G
      [0n, 0n, G],
      [0n, 1n, G],
      [1n, 0n, G],
      [n - 1n, n - 1n, key(3n)],
      [(n - 1n) / 2n, (n + 1n) / 2n, G], // n G
    ]
    // The scalars split into `split` parts of h bits (key-cache.ts); j h is each part's first bit.
    const split = SPLIT[c.name]
    const h = BigInt((c.size * 8) / split)
    for (let j = 1n; j < BigInt(split); j++) {
      const at = 1n << (j * h)
      cases.push(
        [at, n - at, G], // only part j: 2^(j h) G - 2^(j h) G
        [at + 1n, at, G], // parts j and 0 of both
        [at - 1n, 1n, G], // the lower part's top digit carries into part j
        [at - 1n, at - 1n, key(5n)], // all lower parts full, for G and Q
        [n - at, at + (at >> 1n), key(7n)], // carries through the parts above j
      )
    }
    for (const [u1, u2, Q] of cases) checkCached(c, 0, u1, u2, Q)
  })
})

describe('cache slots', () => {
  const [p256, p384] = CURVES as [TestCurve, TestCurve]

  it('fill a slot once per key; another key or curve in the slot refills it', () => {
    const A = p256.noble.Point.BASE.multiply(11n).toAffine()
    const B = p256.noble.Point.BASE.multiply(12n).toAffine()
    const C = p384.noble.Point.BASE.multiply(11n).toAffine()
    const s = k.cacheSlots() - 1
    expect(checkCached(p256, s, 5n, 7n, A)).toBe(FILLED)
    expect(checkCached(p256, s, 9n, 3n, A)).toBe(HIT)
    expect(checkCached(p256, s, 9n, 3n, B)).toBe(FILLED)
    expect(checkCached(p384, s, 9n, 3n, C)).toBe(FILLED)
    expect(checkCached(p256, s, 2n, 3n, B)).toBe(FILLED)
    expect(checkCached(p256, s - 1, 2n, 3n, A)).toBe(FILLED)
    expect(checkCached(p256, s, 4n, 4n, B)).toBe(HIT)
    expect(k.testMulAddCached(0, k.cacheSlots())).toBe(-2)
    expect(k.verifyCached(0, -2)).toBe(-2)
  })
})

describe.each(CURVES)('$name backend with the key cache', (c) => {
  it('answers as without it while more keys than slots take turns', () => {
    const cached = createWasmEcdsaBackend(mod)
    const plain = createWasmEcdsaBackend(mod, undefined, { keyCache: false })
    const keys = Array.from({ length: k.cacheSlots() + 4 }, (_, i) =>
      c.noble.utils.randomSecretKey(be(BigInt(i + 1) * 7919n, (c.size * 3) / 2)),
    )
    const msg = (i: number) => be(BigInt(i) * 104729n + 1n, c.size)
    let valid = 0
    for (let round = 0; round < 3; round++) {
      keys.forEach((sk, i) => {
        const pub = c.noble.getPublicKey(sk, false)
        const [x, y] = [pub.subarray(1, 1 + c.size), pub.subarray(1 + c.size)]
        const sig = c.noble.sign(msg(round * 100 + i), sk, {
          prehash: false,
          format: 'compact',
        })
        // every third signature is checked against another message: must be false
        const digest = (round + i) % 3 === 0 ? msg(999_999) : msg(round * 100 + i)
        const [r, s] = [sig.subarray(0, c.size), sig.subarray(c.size)]
        const want = plain.verify(c.name, x, y, digest, r, s)
        expect(cached.verify(c.name, x, y, digest, r, s)).toBe(want)
        if (want) valid++
      })
    }
    expect(valid).toBeGreaterThan(keys.length)
    // a key off the curve is refused, and does not disturb the cached keys
    const pub = c.noble.getPublicKey(keys[0]!, false)
    const [x, y] = [pub.subarray(1, 1 + c.size), pub.subarray(1 + c.size)]
    const badY = y.slice()
    badY[badY.length - 1]! ^= 1
    const sig = c.noble.sign(msg(0), keys[0]!, {
      prehash: false,
      format: 'compact',
    })
    const c2 = code(() =>
      cached.verify(c.name, x, badY, msg(0), sig.subarray(0, c.size), sig.subarray(c.size)),
    )
    expect(c2).toBe('ERR_KEY_INVALID')
    expect(cached.verify(c.name, x, y, msg(0), sig.subarray(0, c.size), sig.subarray(c.size))).toBe(
      true,
    )
  })
})
