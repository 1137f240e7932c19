/**
 * Verifies an inclusion proof, RFC 9162 §2.1.3.2: recomputes the root from the leaf hash and the
 * path, using the index and tree size to decide at each step which side the sibling is on, and
 * requires both the root to match and the path to be exactly as long as the tree is deep (so no
 * element can be added, dropped or reordered). Throws ERR_LOG_PROOF on any failure, including an
 * index outside the tree, an empty tree, and hashes that are not 32 bytes.
 * Leaves out hashing the leaf data: `leafHash` is RFC 9162's leaf hash, not the entry itself.
 */
import { bytesEqual } from '../bytes/encoding.ts'
import { nodeHash } from './hash.ts'
import { checkHashes, fail } from './proof-checks.ts'
import { isSize } from './tree-math.ts'

export interface InclusionProof {
  leafHash: Uint8Array
  index: number
  treeSize: number
  path: readonly Uint8Array[]
  root: Uint8Array
}

export function verifyInclusion(p: InclusionProof): void {
  if (!isSize(p.index) || !isSize(p.treeSize) || p.index >= p.treeSize) {
    throw fail('index is not inside the tree', { index: p.index, treeSize: p.treeSize })
  }
  checkHashes(p.leafHash, p.root, p.path)
  let fn = p.index
  let sn = p.treeSize - 1
  let r = p.leafHash
  for (const sibling of p.path) {
    if (sn === 0) throw fail('inclusion path is too long')
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(sibling, r)
      // The rightmost node of a level with no right sibling moves up unchanged: skip those levels.
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2
        sn = Math.floor(sn / 2)
      }
    } else {
      r = nodeHash(r, sibling)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  if (sn !== 0) throw fail('inclusion path is too short')
  if (!bytesEqual(r, p.root)) throw fail('inclusion path does not lead to the root')
}
