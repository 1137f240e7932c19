/**
 * MTH(D[start:end]) (RFC 9162 §2.1.1) from stored complete subtrees: a range whose size is a power
 * of two and whose start is aligned to it is one stored node; any other range splits at the
 * largest power of two below its size. Every range the proof algorithms of §2.1.3.1 / §2.1.4.1 ask
 * for starts at a multiple of the smallest power of two >= its size, so its left halves are always
 * single stored nodes and the cost is O(log n) lookups. `overLeaves` is the plain in-memory source.
 * Leaves out storage: `node` is the caller's.
 */
import { emptyRoot, nodeHash } from './hash.ts'
import { rootFromLeaves } from './root-from-leaves.ts'
import { isPowerOfTwo, log2Exact, splitPoint } from './tree-math.ts'

/** The root of the complete subtree of 2^level leaves starting at leaf index * 2^level. */
export type CompleteNode = (level: number, index: number) => Uint8Array

/** MTH of the leaves [start, end). */
export type RangeHash = (start: number, end: number) => Uint8Array

export function subtreeRoot(start: number, end: number, node: CompleteNode): Uint8Array {
  const n = end - start
  if (n === 0) return emptyRoot()
  if (isPowerOfTwo(n) && start % n === 0) return node(log2Exact(n), start / n)
  const k = splitPoint(n)
  return nodeHash(subtreeRoot(start, start + k, node), subtreeRoot(start + k, end, node))
}

/** A RangeHash over an in-memory list of leaf hashes: O(end - start) per call. */
export function overLeaves(leafHashes: readonly Uint8Array[]): RangeHash {
  return (start, end) => rootFromLeaves(leafHashes.slice(start, end))
}
