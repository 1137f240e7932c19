/**
 * MTH(D[n]) of RFC 9162 §2.1.1 over already-hashed leaves, for any n including the empty tree.
 * One pass with a stack of complete subtree roots (equal-size neighbours merge as they appear),
 * then the stack folds right to left, which is the recursive definition's split at the largest
 * power of two. Leaves out hashing the leaf data: callers pass leafHash(data) values.
 */
import { emptyRoot, nodeHash } from './hash.ts'

export function rootFromLeaves(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return emptyRoot()
  const hashes: Uint8Array[] = []
  const sizes: number[] = []
  for (const leaf of leafHashes) {
    let h = leaf
    let size = 1
    while (sizes.length > 0 && sizes[sizes.length - 1] === size) {
      h = nodeHash(hashes.pop()!, h)
      size += sizes.pop()!
    }
    hashes.push(h)
    sizes.push(size)
  }
  let root = hashes.pop()!
  while (hashes.length > 0) root = nodeHash(hashes.pop()!, root)
  return root
}
