/**
 * Consistency proofs, PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1: the subtree
 * roots that let a verifier rebuild both MTH(D[0:m]) and MTH(D[n]). `consistencyPathWith` takes
 * any source of subtree roots (the log passes its stored nodes); `consistencyPath` runs over a full
 * list of leaf hashes, for tests and small trees. For m == n and for m == 0 the proof is empty
 * (the RFC defines 0 < m < n only; an empty old tree is consistent with every tree). Leaves out
 * verification (verify-consistency.ts).
 */
import { AegisError } from '../errors.ts'
import { overLeaves, type RangeHash } from './subtree-root.ts'
import { isSize, splitPoint } from './tree-math.ts'

export function consistencyPathWith(first: number, second: number, range: RangeHash): Uint8Array[] {
  if (!isSize(first) || !isSize(second) || first > second) {
    throw new AegisError('ERR_INPUT_MALFORMED', 'consistency proof needs 0 <= first <= second', {
      detail: { first, second },
    })
  }
  const path: Uint8Array[] = []
  if (first > 0 && first < second) subproof(first, 0, second, true, range, path)
  return path
}

export function consistencyPath(first: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  return consistencyPathWith(first, leafHashes.length, overLeaves(leafHashes))
}

// SUBPROOF(m, D[start:end], b): `b` says whether D[start:start+m] is the old tree itself, whose
// root the verifier already has, so it is left out of the proof.
function subproof(
  m: number,
  start: number,
  end: number,
  b: boolean,
  range: RangeHash,
  out: Uint8Array[],
): void {
  const n = end - start
  if (m === n) {
    if (!b) out.push(range(start, end))
    return
  }
  const k = splitPoint(n)
  if (m <= k) {
    subproof(m, start, start + k, b, range, out)
    out.push(range(start + k, end))
  } else {
    subproof(m - k, start + k, end, false, range, out)
    out.push(range(start, start + k))
  }
}
