/**
 * Verifies a consistency proof between two tree heads, RFC 9162 §2.1.4.2: rebuilds both the old
 * root and the new root from one path, so the old tree is proven to be a prefix of the new one.
 * The RFC covers 0 < first < second; the edges are decided here strictly: first == second needs
 * an empty path and equal roots, first == 0 needs an empty path and the old root to be the empty
 * tree's hash, and first > second always fails. Throws ERR_LOG_PROOF on any failure.
 * Leaves out checking the tree heads' signatures: callers verify the STHs first.
 */
import { bytesEqual } from '../bytes/encoding.ts'
import { emptyRoot, nodeHash } from './hash.ts'
import { checkHashes, fail } from './proof-checks.ts'
import { isPowerOfTwo, isSize } from './tree-math.ts'

export interface ConsistencyProof {
  first: number
  second: number
  firstRoot: Uint8Array
  secondRoot: Uint8Array
  path: readonly Uint8Array[]
}

export function verifyConsistency(p: ConsistencyProof): void {
  const { first, second } = p
  if (!isSize(first) || !isSize(second) || first > second) {
    throw fail('consistency needs 0 <= first <= second', { first, second })
  }
  checkHashes(p.firstRoot, p.secondRoot, p.path)
  if (first === 0 || first === second) {
    if (p.path.length !== 0) throw fail('this consistency proof must be empty')
    if (first === 0 && !bytesEqual(p.firstRoot, emptyRoot())) {
      throw fail('the root of an empty tree is SHA-256 of the empty string')
    }
    if (first === second && !bytesEqual(p.firstRoot, p.secondRoot)) {
      throw fail('equal tree sizes with different roots')
    }
    return
  }
  if (p.path.length === 0) throw fail('consistency path is empty')
  // When the old tree is complete its root is a node of the new tree, and the path omits it.
  const path = isPowerOfTwo(first) ? [p.firstRoot, ...p.path] : p.path
  let fn = first - 1
  let sn = second - 1
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  let fr = path[0]!
  let sr = path[0]!
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!
    if (sn === 0) throw fail('consistency path is too long')
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr)
      sr = nodeHash(c, sr)
      // The rightmost node of a level with no right sibling moves up unchanged: skip those levels.
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2
        sn = Math.floor(sn / 2)
      }
    } else {
      sr = nodeHash(sr, c)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  if (sn !== 0) throw fail('consistency path is too short')
  if (!bytesEqual(fr, p.firstRoot)) throw fail('consistency path does not rebuild the first root')
  if (!bytesEqual(sr, p.secondRoot)) throw fail('consistency path does not rebuild the second root')
}
