/**
 * Property tests for attest/merkle (fast-check): for random trees, proofs from the generators
 * verify against rootFromLeaves, and every mutation (leaf, path element, path length, index,
 * sizes, roots) fails with ERR_LOG_PROOF. Where a changed size can legitimately still verify (two
 * sizes can put a leaf at the same place on its path), the verdict must agree with reference.ts,
 * an independent rebuild from the RFC 9162 recursion. Also: bounds and empty-tree edges.
 * Hashing is slow inside the test workerd, so each property collects its findings and asserts
 * once, and trees stay small (the shapes that matter all appear below 70 leaves).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toHex } from '../../../attest/bytes/encoding.ts'
import { AegisError } from '../../../attest/errors.ts'
import { consistencyPath, consistencyPathWith } from '../../../attest/merkle/consistency-path.ts'
import { emptyRoot, leafHash } from '../../../attest/merkle/hash.ts'
import { inclusionPath, inclusionPathWith } from '../../../attest/merkle/inclusion-path.ts'
import { rootFromLeaves } from '../../../attest/merkle/root-from-leaves.ts'
import { overLeaves, subtreeRoot, type RangeHash } from '../../../attest/merkle/subtree-root.ts'
import {
  verifyConsistency,
  type ConsistencyProof,
} from '../../../attest/merkle/verify-consistency.ts'
import { verifyInclusion, type InclusionProof } from '../../../attest/merkle/verify-inclusion.ts'
import { naiveConsistencyOk, naiveInclusionOk, naiveRoot } from './reference.ts'

const SLOW = 60_000

/** n distinct leaf hashes, distinct per salt. */
function leaves(n: number, salt: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) =>
    leafHash(new Uint8Array([salt & 255, (salt >> 8) & 255, i & 255, (i >> 8) & 255])),
  )
}

/** overLeaves with each range hashed once, so a test can ask for many paths cheaply. */
function memo(ls: Uint8Array[]): RangeHash {
  const plain = overLeaves(ls)
  const seen = new Map<string, Uint8Array>()
  return (a, b) => {
    const key = `${a}:${b}`
    let h = seen.get(key)
    if (h === undefined) seen.set(key, (h = plain(a, b)))
    return h
  }
}

function flip(h: Uint8Array, bit: number): Uint8Array {
  const out = h.slice()
  out[(bit >> 3) % out.length]! ^= 1 << (bit & 7)
  return out
}

/** 'ok', or the error code; anything that is not an AegisError is rethrown. */
function outcome(f: () => void): string {
  try {
    f()
    return 'ok'
  } catch (e) {
    if (!(e instanceof AegisError)) throw e
    return e.code
  }
}

const incl = (p: InclusionProof) => outcome(() => verifyInclusion(p))
const cons = (p: ConsistencyProof) => outcome(() => verifyConsistency(p))

const size = fc.integer({ min: 1, max: 70 })
const salt = fc.integer({ min: 0, max: 65535 })
const bit = fc.integer({ min: 0, max: 255 })
const pairUpTo = (max: number) =>
  fc.integer({ min: 1, max }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)))

describe('rootFromLeaves', () => {
  it(
    'is SHA-256("") for the empty tree and the recursive MTH for every size',
    () => {
      expect(toHex(rootFromLeaves([]))).toBe(
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      )
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 200 }), salt, (n, s) => {
          const ls = leaves(n, s)
          return toHex(rootFromLeaves(ls)) === toHex(naiveRoot(ls))
        }),
        { numRuns: 50 },
      )
    },
    SLOW,
  )

  it(
    'subtreeRoot builds a tree root from one complete subtree per set bit of n',
    () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1100 }), (n) => {
          const ls = leaves(n, 7)
          const range = memo(ls)
          let reads = 0
          const node = (level: number, index: number) => {
            reads++
            return range(index * 2 ** level, (index + 1) * 2 ** level)
          }
          const root = toHex(subtreeRoot(0, n, node))
          return root === toHex(range(0, n)) && reads === n.toString(2).replace(/0/g, '').length
        }),
        { numRuns: 15 },
      )
    },
    SLOW,
  )
})

describe('inclusion proofs', () => {
  it(
    'verify for every index of a random tree',
    () => {
      fc.assert(
        fc.property(size, salt, (n, s) => {
          const ls = leaves(n, s)
          const range = memo(ls)
          const root = range(0, n)
          const bad: unknown[] = []
          for (let i = 0; i < n; i++) {
            const path = inclusionPathWith(i, n, range)
            const got = incl({ leafHash: ls[i]!, index: i, treeSize: n, path, root })
            if (got !== 'ok' || !naiveInclusionOk(ls[i]!, i, n, path, root)) bad.push([i, got])
          }
          // The list form is the same recursion over the same leaves.
          const i = s % n
          if (
            inclusionPath(i, ls).map(toHex).join() !==
            inclusionPathWith(i, n, range).map(toHex).join()
          )
            bad.push(['list form', i])
          expect(bad).toEqual([])
        }),
        { numRuns: 40 },
      )
    },
    SLOW,
  )

  it(
    'fail for a mutated leaf, path element, path length, index or root',
    () => {
      fc.assert(
        fc.property(size, salt, bit, (n, s, b) => {
          const ls = leaves(n, s)
          const range = memo(ls)
          const root = range(0, n)
          const i = s % n
          const path = inclusionPathWith(i, n, range)
          const probes: [string, Partial<InclusionProof>][] = [
            ['leaf', { leafHash: flip(ls[i]!, b) }],
            ['root', { root: flip(root, b) }],
            ['index n', { index: n }],
            ['index -1', { index: -1 }],
            ['trailing root', { path: [...path, root] }],
            ['preceding root', { path: [root, ...path] }],
          ]
          path.forEach((_, j) =>
            probes.push([`path[${j}]`, { path: path.map((h, x) => (x === j ? flip(h, b) : h)) }]),
          )
          if (path.length > 0) probes.push(['drop last', { path: path.slice(0, -1) }])
          if (path.length > 0) probes.push(['drop first', { path: path.slice(1) }])
          if (path.length > 1) probes.push(['reversed', { path: [...path].reverse() }])
          for (let j = 0; j < n; j++) if (j !== i) probes.push([`index ${j}`, { index: j }])
          const base = { leafHash: ls[i]!, index: i, treeSize: n, path, root }
          const accepted = probes.filter(
            ([, over]) => incl({ ...base, ...over }) !== 'ERR_LOG_PROOF',
          )
          expect(accepted.map(([what]) => what)).toEqual([])
        }),
        { numRuns: 60 },
      )
    },
    SLOW,
  )

  it(
    'with another tree size, verify exactly when the RFC recursion does',
    () => {
      let refused = 0
      fc.assert(
        fc.property(size, salt, (n, s) => {
          const ls = leaves(n, s)
          const range = memo(ls)
          const root = range(0, n)
          const i = s % n
          const path = inclusionPathWith(i, n, range)
          const bad: unknown[] = []
          for (let t = 0; t <= 2 * n + 2; t++) {
            if (t === n) continue
            const got = incl({ leafHash: ls[i]!, index: i, treeSize: t, path, root })
            if (got !== 'ok') refused++
            if ((got === 'ok') !== naiveInclusionOk(ls[i]!, i, t, path, root)) bad.push([t, got])
            if (got !== 'ok' && got !== 'ERR_LOG_PROOF') bad.push([t, got])
          }
          expect(bad).toEqual([])
        }),
        { numRuns: 60 },
      )
      expect(refused).toBeGreaterThan(0)
    },
    SLOW,
  )

  it('refuse an empty tree, an index outside the tree, and hashes that are not 32 bytes', () => {
    const h = leafHash(new Uint8Array([1]))
    const two = leaves(2, 1)
    const r2 = rootFromLeaves(two)
    expect(incl({ leafHash: h, index: 0, treeSize: 1, path: [], root: h })).toBe('ok')
    expect(incl({ leafHash: two[0]!, index: 0, treeSize: 2, path: [two[1]!], root: r2 })).toBe('ok')
    for (const p of [
      { leafHash: h, index: 0, treeSize: 0, path: [], root: h },
      { leafHash: h, index: 0, treeSize: 0, path: [], root: emptyRoot() },
      { leafHash: h, index: 1, treeSize: 1, path: [], root: h },
      { leafHash: h, index: 0.5, treeSize: 1, path: [], root: h },
      { leafHash: h, index: 0, treeSize: 2 ** 53, path: [], root: h },
      { leafHash: h.slice(1), index: 0, treeSize: 1, path: [], root: h.slice(1) },
      { leafHash: two[0]!, index: 0, treeSize: 2, path: [two[1]!.slice(0, 31)], root: r2 },
    ]) {
      expect(incl(p)).toBe('ERR_LOG_PROOF')
    }
  })

  it('generator refuses an index outside the tree with ERR_INPUT_MALFORMED', () => {
    for (const [i, n] of [
      [0, 0],
      [3, 3],
      [-1, 3],
      [1.5, 3],
    ] as const) {
      expect(outcome(() => inclusionPath(i, leaves(n, 0)))).toBe('ERR_INPUT_MALFORMED')
    }
  })
})

describe('consistency proofs', () => {
  it(
    'verify for random first <= second, and agree with the RFC recursion',
    () => {
      fc.assert(
        fc.property(pairUpTo(70), salt, ([m, n], s) => {
          const ls = leaves(n, s)
          const range = memo(ls)
          const p = {
            first: m,
            second: n,
            firstRoot: range(0, m),
            secondRoot: range(0, n),
            path: consistencyPathWith(m, n, range),
          }
          expect(cons(p)).toBe('ok')
          if (m > 0 && m < n) {
            expect(naiveConsistencyOk(m, n, p.path, p.firstRoot, p.secondRoot)).toBe(true)
          } else {
            expect(p.path).toHaveLength(0)
          }
          expect(consistencyPath(m, ls).map(toHex)).toEqual(p.path.map(toHex))
        }),
        { numRuns: 60 },
      )
    },
    SLOW,
  )

  it(
    'fail for a mutated path element, path length, or root',
    () => {
      fc.assert(
        fc.property(pairUpTo(70), salt, bit, ([m, n], s, b) => {
          fc.pre(m > 0 && m < n)
          const ls = leaves(n, s)
          const range = memo(ls)
          const base: ConsistencyProof = {
            first: m,
            second: n,
            firstRoot: range(0, m),
            secondRoot: range(0, n),
            path: consistencyPathWith(m, n, range),
          }
          const { path, firstRoot, secondRoot } = base
          const probes: [string, Partial<ConsistencyProof>][] = [
            ['first root', { firstRoot: flip(firstRoot, b) }],
            ['second root', { secondRoot: flip(secondRoot, b) }],
            ['swapped roots', { firstRoot: secondRoot, secondRoot: firstRoot }],
            ['empty', { path: [] }],
            ['drop last', { path: path.slice(0, -1) }],
            ['drop first', { path: path.slice(1) }],
            ['trailing root', { path: [...path, secondRoot] }],
            ['preceding root', { path: [firstRoot, ...path] }],
            ['preceding path[0]', { path: [path[0]!, ...path] }],
            ['swapped sizes', { first: n, second: m }],
          ]
          path.forEach((_, j) =>
            probes.push([`path[${j}]`, { path: path.map((h, x) => (x === j ? flip(h, b) : h)) }]),
          )
          const accepted = probes.filter(
            ([, over]) => cons({ ...base, ...over }) !== 'ERR_LOG_PROOF',
          )
          expect(accepted.map(([what]) => what)).toEqual([])
        }),
        { numRuns: 60 },
      )
    },
    SLOW,
  )

  it(
    'with other sizes, verify exactly when the RFC recursion does',
    () => {
      let refused = 0
      fc.assert(
        fc.property(pairUpTo(20), salt, ([m, n], s) => {
          fc.pre(m > 0 && m < n)
          const ls = leaves(n, s)
          const range = memo(ls)
          const firstRoot = range(0, m)
          const secondRoot = range(0, n)
          const path = consistencyPathWith(m, n, range)
          const bad: unknown[] = []
          for (let a = 1; a <= n + 2; a++) {
            for (let c = a + 1; c <= n + 4; c++) {
              if (a === m && c === n) continue
              const got = cons({ first: a, second: c, firstRoot, secondRoot, path })
              if (got !== 'ok') refused++
              const want = naiveConsistencyOk(a, c, path, firstRoot, secondRoot)
              if ((got === 'ok') !== want || (got !== 'ok' && got !== 'ERR_LOG_PROOF')) {
                bad.push([a, c, got])
              }
            }
          }
          expect(bad).toEqual([])
        }),
        { numRuns: 40 },
      )
      expect(refused).toBeGreaterThan(0)
    },
    SLOW,
  )

  it('decide the edges strictly: equal sizes, an empty first tree, first > second', () => {
    const ls = leaves(5, 3)
    const r5 = rootFromLeaves(ls)
    const r0 = emptyRoot()
    const c = (
      first: number,
      second: number,
      a: Uint8Array,
      b: Uint8Array,
      path: Uint8Array[] = [],
    ) => cons({ first, second, firstRoot: a, secondRoot: b, path })
    expect(c(5, 5, r5, r5)).toBe('ok')
    expect(c(0, 0, r0, r0)).toBe('ok')
    expect(c(0, 5, r0, r5)).toBe('ok')
    expect(c(5, 5, r5, flip(r5, 0))).toBe('ERR_LOG_PROOF')
    expect(c(5, 5, r5, r5, [r5])).toBe('ERR_LOG_PROOF')
    expect(c(0, 5, r5, r5)).toBe('ERR_LOG_PROOF') // the empty tree's root is fixed
    expect(c(0, 5, r0, r5, [r5])).toBe('ERR_LOG_PROOF')
    expect(c(6, 5, r5, r5)).toBe('ERR_LOG_PROOF')
    expect(c(-1, 5, r0, r5)).toBe('ERR_LOG_PROOF')
    expect(c(1, 2 ** 53, ls[0]!, r5, [ls[1]!])).toBe('ERR_LOG_PROOF')
    expect(c(5, 5, r5.slice(0, 16), r5.slice(0, 16))).toBe('ERR_LOG_PROOF')
    expect(outcome(() => consistencyPath(6, ls))).toBe('ERR_INPUT_MALFORMED')
  })
})
