/**
 * The differential property test run per curve by ecdsa-differential.test.ts: the Wasm backend against @noble/curves on generated cases
 * (fixed seed), every one of which must get the same answer: valid, invalid, or an invalid public
 * key (the Wasm backend throws ERR_KEY_INVALID where noble refuses the point).
 * Cases: signatures made here with noble's arithmetic for random keys, nonces and digests of
 * assorted lengths (short, truncated, e >= n), then left alone or mutated: high-S, bit flips in r,
 * s, digest or key, r or s = 0, n, n - 1, r + n, 2^bits - 1, swapped, zero-padded, over-long,
 * random pairs, truncated/extended/empty digests, off-curve, out-of-range, negated and foreign keys;
 * each signature serves two independently drawn mutations. Budget: noble's own `verify` costs milliseconds per call, so most keys come from a pool whose
 * points carry noble precomputed tables and are judged with noble's point arithmetic (see
 * nobleArithmeticVerify); one case in twenty-five uses a fresh random key and is judged by noble's
 * `verify` itself, as is every 50th pool case, where it must also agree with the arithmetic oracle.
 */
import fc from 'fast-check'
import { expect } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { createWasmEcdsaBackend } from '../../attest/crypto/ecdsa-wasm.ts'
import { AegisError } from '../../attest/errors.ts'
import {
  be,
  digestToScalar,
  int,
  mod,
  nobleArithmeticVerify,
  nobleVerify,
  type Outcome,
  type TestCurve,
} from './ecdsa-helpers.ts'

export const SEED = 0x5eed_ecd5
const POOL = 12
const CASES_PER_SIGNATURE = 2
const backend = createWasmEcdsaBackend(mod)

type Mutation =
  | { kind: 'none' | 'high-s' | 'swap' | 'pad-r' | 'pad-s' | 'long-r' | 'long-s' }
  | { kind: 'r=' | 's='; v: 'zero' | 'n' | 'n-1' | '+n' | 'max' }
  | { kind: 'flip-r' | 'flip-s' | 'flip-digest' | 'flip-x' | 'flip-y'; bit: number }
  | { kind: 'random'; r: bigint; s: bigint }
  | { kind: 'digest'; how: 'truncate' | 'extend' | 'empty' }
  | { kind: 'key'; how: 'x=p' | 'y+p' | 'negate' | 'other' | 'short' | 'long' | 'zero' }

/** How a freshly signed case is changed (or not) before both sides judge it. */
function mutationArb(c: TestCurve): fc.Arbitrary<Mutation> {
  const bits = 8 * c.size
  const scalar = fc.bigInt({ min: 1n, max: c.n - 1n })
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant({ kind: 'none' as const }) },
    { weight: 5, arbitrary: fc.constant({ kind: 'high-s' as const }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        ...(['swap', 'pad-r', 'pad-s', 'long-r', 'long-s'] as const).map((kind) => ({ kind })),
      ),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constantFrom('r=' as const, 's=' as const),
        v: fc.constantFrom(
          'zero' as const,
          'n' as const,
          'n-1' as const,
          '+n' as const,
          'max' as const,
        ),
      }),
    },
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constantFrom('flip-r' as const, 'flip-s' as const, 'flip-digest' as const),
        bit: fc.nat({ max: bits - 1 }),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({ kind: fc.constant('random' as const), r: scalar, s: scalar }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('digest' as const),
        how: fc.constantFrom('truncate' as const, 'extend' as const, 'empty' as const),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constantFrom('flip-x' as const, 'flip-y' as const),
        bit: fc.nat({ max: bits - 1 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('key' as const),
        how: fc.constantFrom(
          ...(['x=p', 'y+p', 'negate', 'other', 'short', 'long', 'zero'] as const),
        ),
      }),
    },
  )
}

/** A key (pool index, or a fresh private key), a nonce and a digest: one signature. */
function arbitraries(c: TestCurve) {
  const bits = 8 * c.size
  const scalar = fc.bigInt({ min: 1n, max: c.n - 1n })
  const bytesOf = (len: number) => fc.uint8Array({ minLength: len, maxLength: len })
  const digest = fc.oneof(
    { weight: 10, arbitrary: bytesOf(c.size) },
    { weight: 3, arbitrary: fc.constantFrom(20, 32, 48, 64).chain(bytesOf) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 80 }) },
    // e >= n: the representative must be reduced before use.
    {
      weight: 1,
      arbitrary: fc.bigInt({ min: c.n, max: (1n << BigInt(bits)) - 1n }).map((v) => be(v, c.size)),
    },
    { weight: 1, arbitrary: fc.constantFrom(new Uint8Array(c.size), be(c.n, c.size)) },
  )
  const key = fc.oneof(
    { weight: 24, arbitrary: fc.nat({ max: POOL - 1 }).map((i) => ({ pool: i, d: 0n })) },
    { weight: 1, arbitrary: scalar.map((d) => ({ pool: -1, d })) },
  )
  return fc.record({ key, nonce: scalar, digest })
}

const flip = (b: Uint8Array, bit: number): Uint8Array => {
  const out = b.slice()
  if (out.length === 0) return out
  const i = Math.floor(bit / 8) % out.length
  out[out.length - 1 - i]! ^= 1 << (bit % 8)
  return out
}

function wasmOutcome(
  c: TestCurve,
  x: Uint8Array,
  y: Uint8Array,
  h: Uint8Array,
  r: Uint8Array,
  s: Uint8Array,
): Outcome {
  try {
    return backend.verify(c.name, x, y, h, r, s)
  } catch (e) {
    if (e instanceof AegisError && e.code === 'ERR_KEY_INVALID') return 'bad-key'
    throw e
  }
}

/** Runs `runs` cases for curve `c`; throws (fast-check's report) on the first disagreement. */
export function runDifferential(c: TestCurve, runs: number): Record<string, number> {
  const { Point } = c.noble
  const { Fn } = Point
  // Deterministic key pool; precomputed tables make noble's multiplications by these points cheap.
  const pool = Array.from({ length: POOL }, (_, i) => {
    const d = Fn.create(
      int(sha256(new TextEncoder().encode(`aegis-ecdsa-diff-${c.name}-${i}`))) + 1n,
    )
    const Q = Point.BASE.multiply(d).precompute(6, false)
    const { x, y } = Q.toAffine()
    return { d, Q, x: be(x, c.size), y: be(y, c.size), key: `${x}:${y}` }
  })
  const byKey = new Map(pool.map((k) => [k.key, k.Q]))

  let n = 0
  const tally = { valid: 0, invalid: 0, 'bad-key': 0, nobleVerify: 0 }
  // Each generated signature is used for CASES_PER_SIGNATURE mutations, each a case of its own:
  // signing costs as much as a verification here.
  const runsNeeded = Math.ceil(runs / CASES_PER_SIGNATURE)
  fc.assert(
    fc.property(
      arbitraries(c),
      fc.array(mutationArb(c), { minLength: CASES_PER_SIGNATURE, maxLength: CASES_PER_SIGNATURE }),
      ({ key, nonce, digest }, mutations) => {
        const d = key.pool >= 0 ? pool[key.pool]!.d : key.d
        const owner = key.pool >= 0 ? pool[key.pool]! : null
        const Q = owner ? owner.Q : Point.BASE.multiply(d)
        // Sign (SEC 1 §4.1.3) with an explicit nonce.
        const e = digestToScalar(c, digest)
        const R = Fn.create(Point.BASE.multiplyUnsafe(nonce).toAffine().x)
        const S = Fn.create(Fn.inv(nonce) * (e + R * d))
        fc.pre(R !== 0n && S !== 0n)
        const base: Case = {
          x: owner ? owner.x : be(Q.toAffine().x, c.size),
          y: owner ? owner.y : be(Q.toAffine().y, c.size),
          h: digest,
          r: be(R, c.size),
          s: be(S, c.size),
        }
        for (const m of mutations) {
          n++
          const { x, y, h, r, s } = mutate(
            c,
            base,
            R,
            S,
            m,
            pool[(Math.max(key.pool, 0) + 1) % POOL]!,
          )
          const mine = wasmOutcome(c, x, y, h, r, s)
          const known =
            x.length === c.size && y.length === c.size
              ? byKey.get(`${int(x)}:${int(y)}`)
              : undefined
          if (known === undefined || n % 50 === 0) {
            tally.nobleVerify++
            expect(mine).toBe(nobleVerify(c, x, y, h, r, s))
          }
          // Keys outside the pool have no tables: noble's verify above is the cheaper judge there.
          if (known !== undefined) expect(mine).toBe(nobleArithmeticVerify(c, known, h, r, s))
          tally[mine === true ? 'valid' : mine === false ? 'invalid' : 'bad-key']++
        }
      },
    ),
    { seed: SEED, numRuns: runsNeeded },
  )
  return { cases: n, ...tally }
}

interface Case {
  x: Uint8Array
  y: Uint8Array
  h: Uint8Array
  r: Uint8Array
  s: Uint8Array
}

/** r or s set to a boundary value: 0, n, n - 1, the value + n, or 2^bits - 1. */
function specialValue(c: TestCurve, v: string, b: bigint): bigint {
  if (v === 'zero') return 0n
  if (v === 'n') return c.n
  if (v === 'n-1') return c.n - 1n
  if (v === '+n') return b + c.n
  return (1n << BigInt(8 * c.size)) - 1n
}

/** The public key made invalid or foreign in the way `how` names. */
function mutateKey(
  c: TestCurve,
  k: { x: Uint8Array; y: Uint8Array },
  how: Extract<Mutation, { kind: 'key' }>['how'],
  other: { x: Uint8Array; y: Uint8Array },
): { x: Uint8Array; y: Uint8Array } {
  const { x, y } = k
  const bits = 8 * c.size
  if (how === 'x=p') return { x: be(c.p, c.size), y }
  if (how === 'y+p')
    return { x, y: be(int(y) + c.p < 1n << BigInt(bits) ? int(y) + c.p : c.p, c.size) }
  if (how === 'negate') return { x, y: be(c.p - int(y), c.size) }
  if (how === 'other') return other
  if (how === 'short') return { x: x.subarray(1), y }
  if (how === 'long') return { x, y: Uint8Array.of(0, ...y) }
  const zero = new Uint8Array(c.size)
  return { x: zero, y: zero }
}

/** The signed case `base` (r = R, s = S) after mutation `m`; `other` is a different pool key. */
function mutate(
  c: TestCurve,
  base: Case,
  R: bigint,
  S: bigint,
  m: Mutation,
  other: { x: Uint8Array; y: Uint8Array },
): Case {
  const bits = 8 * c.size
  let { x, y, h, r, s } = base
  const special = (v: string, b: bigint) => specialValue(c, v, b)
  const fit = (v: bigint) => (v < 1n << BigInt(bits) ? be(v, c.size) : be(v, c.size + 1))
  switch (m.kind) {
    case 'none':
      break
    case 'high-s':
      s = be(c.n - S, c.size)
      break
    case 'swap':
      ;[r, s] = [s, r]
      break
    case 'pad-r':
      r = be(R, c.size + 2)
      break
    case 'pad-s':
      s = be(S, c.size + 1)
      break
    case 'long-r':
      r = be(R + (1n << BigInt(bits)), c.size + 1)
      break
    case 'long-s':
      s = be(S + (1n << BigInt(bits + 3)), c.size + 1)
      break
    case 'r=':
      r = fit(special(m.v, R))
      break
    case 's=':
      s = fit(special(m.v, S))
      break
    case 'flip-r':
      r = flip(r, m.bit)
      break
    case 'flip-s':
      s = flip(s, m.bit)
      break
    case 'flip-digest':
      h = flip(h, m.bit)
      break
    case 'random':
      r = be(m.r, c.size)
      s = be(m.s, c.size)
      break
    case 'digest':
      h =
        m.how === 'truncate'
          ? h.subarray(0, Math.max(0, h.length - 1))
          : m.how === 'empty'
            ? new Uint8Array(0)
            : Uint8Array.of(...h, 0x5a)
      break
    case 'flip-x':
      x = flip(x, m.bit)
      break
    case 'flip-y':
      y = flip(y, m.bit)
      break
    case 'key':
      ;({ x, y } = mutateKey(c, { x, y }, m.how, other))
      break
  }
  return { x, y, h, r, s }
}
