/**
 * Transparency log benchmarks on a 100,000-leaf tree held in memory (pure attest/merkle code, no
 * storage): `log.inclusion-proof` builds an inclusion proof from complete subtree hashes, as
 * ProvenanceLog does per request (minus its SQLite reads, one per proof element), and
 * `log.verify-inclusion` checks one against the root, as an auditor or the CLI does. The indices
 * stride through the tree so successive iterations prove different leaves. The tree is built once
 * per isolate (about 200,000 SHA-256 calls) and shared by both cases.
 */
import { leafHash, nodeHash } from '../../attest/merkle/hash.ts'
import { inclusionPathWith } from '../../attest/merkle/inclusion-path.ts'
import { subtreeRoot, type RangeHash } from '../../attest/merkle/subtree-root.ts'
import { verifyInclusion, type InclusionProof } from '../../attest/merkle/verify-inclusion.ts'
import type { BenchCase } from '../types.ts'

export const LOG_BENCH_SIZE = 100_000
const STRIDE = 7919 // prime, so the walk visits every index before repeating

export interface BenchTree {
  size: number
  /** levels[l][i]: the complete subtree of 2^l leaves from i * 2^l, as ProvenanceLog stores them */
  levels: Uint8Array[][]
  root: Uint8Array
  range: RangeHash
}

let built: BenchTree | undefined

export function benchTree(): BenchTree {
  if (built) return built
  const size = LOG_BENCH_SIZE
  const leaves: Uint8Array[] = []
  for (let i = 0; i < size; i++) {
    // A leaf's data is a 32-byte bundle hash; any distinct 32 bytes stand in for one here.
    const data = new Uint8Array(32)
    new DataView(data.buffer).setUint32(0, i)
    leaves.push(leafHash(data))
  }
  const levels = [leaves]
  for (let prev = leaves; prev.length >= 2;) {
    const row: Uint8Array[] = []
    for (let i = 0; 2 * i + 1 < prev.length; i++) row.push(nodeHash(prev[2 * i]!, prev[2 * i + 1]!))
    levels.push(row)
    prev = row
  }
  const range: RangeHash = (a, b) => subtreeRoot(a, b, (level, index) => levels[level]![index]!)
  built = { size, levels, root: range(0, size), range }
  return built
}

interface ProveCtx {
  tree: BenchTree
  next: number
}

interface VerifyCtx {
  proofs: InclusionProof[]
  next: number
}

export const cases: BenchCase[] = [
  {
    name: 'log.inclusion-proof',
    iterations: 2000,
    warmup: 100,
    setup: (): ProveCtx => ({ tree: benchTree(), next: 0 }),
    run: (c: ProveCtx) => {
      c.next = (c.next + STRIDE) % c.tree.size
      return inclusionPathWith(c.next, c.tree.size, c.tree.range)
    },
  } satisfies BenchCase<ProveCtx>,
  {
    name: 'log.verify-inclusion',
    iterations: 2000,
    warmup: 100,
    setup: (): VerifyCtx => {
      const t = benchTree()
      const proofs = Array.from({ length: 256 }, (_, k) => {
        const index = (k * STRIDE) % t.size
        return {
          leafHash: t.levels[0]![index]!,
          index,
          treeSize: t.size,
          path: inclusionPathWith(index, t.size, t.range),
          root: t.root,
        }
      })
      return { proofs, next: 0 }
    },
    run: (c: VerifyCtx) => {
      const p = c.proofs[c.next++ % c.proofs.length]!
      verifyInclusion(p)
      return p.index
    },
  } satisfies BenchCase<VerifyCtx>,
  // Each case is typed by its own context; the list erases it, as the harness treats them alike.
] as BenchCase[]
