/**
 * Test-only references written straight from RFC 9162's recursive definitions (§2.1.1 MTH,
 * §2.1.3.1 PATH, §2.1.4.1 SUBPROOF), deliberately unlike attest/merkle's iterative code, so the
 * two can be checked against each other. The verifiers here rebuild the roots by walking the same
 * recursion that produced the proof, consuming the path from its end (the top of the tree).
 */
import { bytesEqual } from '../../../attest/bytes/encoding.ts'
import { emptyRoot, nodeHash } from '../../../attest/merkle/hash.ts'

function k(n: number): number {
  let p = 1
  while (p * 2 < n) p *= 2
  return p
}

export function naiveRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return emptyRoot()
  if (leaves.length === 1) return leaves[0]!
  const s = k(leaves.length)
  return nodeHash(naiveRoot(leaves.slice(0, s)), naiveRoot(leaves.slice(s)))
}

/** Does (leaf, index, size, path) rebuild `root` under the PATH recursion? */
export function naiveInclusionOk(
  leaf: Uint8Array,
  index: number,
  size: number,
  path: Uint8Array[],
  root: Uint8Array,
): boolean {
  if (index < 0 || index >= size) return false
  const rest = [...path]
  const rebuild = (m: number, n: number): Uint8Array | null => {
    if (n === 1) return leaf
    const s = k(n)
    const sibling = rest.pop()
    if (sibling === undefined) return null
    const below = m < s ? rebuild(m, s) : rebuild(m - s, n - s)
    if (below === null) return null
    return m < s ? nodeHash(below, sibling) : nodeHash(sibling, below)
  }
  const r = rebuild(index, size)
  return r !== null && rest.length === 0 && bytesEqual(r, root)
}

/** Does (first, second, path) rebuild both roots under the SUBPROOF recursion? (0 < first < second) */
export function naiveConsistencyOk(
  first: number,
  second: number,
  path: Uint8Array[],
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
): boolean {
  if (!(first > 0 && first < second)) return false
  const rest = [...path]
  type Pair = { old: Uint8Array; cur: Uint8Array }
  const rebuild = (m: number, n: number, b: boolean): Pair | null => {
    if (m === n) {
      if (b) return { old: firstRoot, cur: firstRoot }
      const h = rest.pop()
      return h === undefined ? null : { old: h, cur: h }
    }
    const s = k(n)
    const sibling = rest.pop()
    if (sibling === undefined) return null
    if (m <= s) {
      const p = rebuild(m, s, b)
      return p && { old: p.old, cur: nodeHash(p.cur, sibling) }
    }
    const p = rebuild(m - s, n - s, false)
    return p && { old: nodeHash(sibling, p.old), cur: nodeHash(sibling, p.cur) }
  }
  const r = rebuild(first, second, true)
  return (
    r !== null && rest.length === 0 && bytesEqual(r.old, firstRoot) && bytesEqual(r.cur, secondRoot)
  )
}
