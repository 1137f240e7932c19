/**
 * Inclusion proofs, PATH(m, D[n]) of RFC 9162 §2.1.3.1: the sibling subtree roots from the leaf
 * up to the root, leaf side first. `inclusionPathWith` takes any source of subtree roots (the log
 * passes its stored nodes); `inclusionPath` runs over a full list of leaf hashes, for tests and
 * small trees. Leaves out verification (verify-inclusion.ts).
 */
import { AegisError } from '../errors.ts'
import { overLeaves, type RangeHash } from './subtree-root.ts'
import { isSize, splitPoint } from './tree-math.ts'

export function inclusionPathWith(index: number, treeSize: number, range: RangeHash): Uint8Array[] {
  if (!isSize(index) || !isSize(treeSize) || index >= treeSize) {
    throw new AegisError('ERR_INPUT_MALFORMED', 'inclusion proof needs 0 <= index < treeSize', {
      detail: { index, treeSize },
    })
  }
  const path: Uint8Array[] = []
  walk(index, 0, treeSize, range, path)
  return path
}

export function inclusionPath(index: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  return inclusionPathWith(index, leafHashes.length, overLeaves(leafHashes))
}

// PATH(m, D[start:end]) appends its deeper elements first, then the sibling at this level.
function walk(m: number, start: number, end: number, range: RangeHash, out: Uint8Array[]): void {
  const n = end - start
  if (n === 1) return
  const k = splitPoint(n)
  if (m < k) {
    walk(m, start, start + k, range, out)
    out.push(range(start + k, end))
  } else {
    walk(m - k, start + k, end, range, out)
    out.push(range(start, start + k))
  }
}
