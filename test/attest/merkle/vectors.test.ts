/**
 * attest/merkle against the transparency-dev/merkle vectors (test/vectors/merkle/README.md):
 * RFC 6962/9162 leaf, node and empty hashes; every root and complete subtree of the 8-leaf tree;
 * the generators reproduce upstream's happy-path proofs byte for byte; and the verifiers reach
 * upstream's verdict on all 196 inclusion and consistency probes, each failure as ERR_LOG_PROOF
 * (one probe differs on purpose: STRICTER below).
 */
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../../../attest/bytes/encoding.ts'
import { AegisError } from '../../../attest/errors.ts'
import { consistencyPath } from '../../../attest/merkle/consistency-path.ts'
import { emptyRoot, leafHash, nodeHash } from '../../../attest/merkle/hash.ts'
import { inclusionPath } from '../../../attest/merkle/inclusion-path.ts'
import { rootFromLeaves } from '../../../attest/merkle/root-from-leaves.ts'
import { subtreeRoot } from '../../../attest/merkle/subtree-root.ts'
import { verifyConsistency } from '../../../attest/merkle/verify-consistency.ts'
import { verifyInclusion } from '../../../attest/merkle/verify-inclusion.ts'
import v from '../../vectors/merkle/transparency-dev.json'

const leafHashes = v.leaves.map((d) => leafHash(fromHex(d)))
const hexes = (xs: Uint8Array[]) => xs.map(toHex)

function verdict(f: () => void): 'ok' | 'error' {
  try {
    f()
    return 'ok'
  } catch (e) {
    expect(e).toBeInstanceOf(AegisError)
    expect((e as AegisError).code).toBe('ERR_LOG_PROOF')
    return 'error'
  }
}

describe('RFC 6962 hashing (rfc6962_test.go)', () => {
  it.each(v.hasher)('$desc', (t) => {
    const got =
      t.op === 'empty'
        ? emptyRoot()
        : t.op === 'leaf'
          ? leafHash(fromHex(t.data!))
          : nodeHash(fromHex(t.left!), fromHex(t.right!))
    expect(toHex(got)).toBe(t.want)
  })
})

describe('the 8-leaf tree (testonly/constants.go)', () => {
  it('has the published root for every size 0..8', () => {
    expect(v.rootHashes).toHaveLength(9)
    for (let n = 0; n <= 8; n++) {
      expect(toHex(rootFromLeaves(leafHashes.slice(0, n))), `size ${n}`).toBe(v.rootHashes[n])
    }
  })

  it('has the published hash for every complete subtree', () => {
    for (const [level, row] of v.nodeHashes.entries()) {
      for (const [index, want] of row.entries()) {
        const size = 2 ** level
        const got = rootFromLeaves(leafHashes.slice(index * size, (index + 1) * size))
        expect(toHex(got), `node(${level}, ${index})`).toBe(want)
      }
    }
  })

  it('subtreeRoot over the published nodes gives every root, reading only complete subtrees', () => {
    const node = (level: number, index: number) => fromHex(v.nodeHashes[level]![index]!)
    for (let n = 0; n <= 8; n++) expect(toHex(subtreeRoot(0, n, node))).toBe(v.rootHashes[n])
  })
})

describe('generators reproduce the upstream happy-path proofs', () => {
  // Probes over the 8-leaf tree: their roots are among the published roots.
  const inTree = (root: string | null, size: number) => size <= 8 && v.rootHashes[size] === root

  const inclusions = v.inclusion.filter(
    (p) => !p.wantErr && p.treeSize > 0 && inTree(p.root, p.treeSize),
  )
  it.each(inclusions)('inclusion $file', (p) => {
    const leaves = leafHashes.slice(0, p.treeSize)
    expect(toHex(leaves[p.leafIdx]!)).toBe(p.leafHash)
    expect(hexes(inclusionPath(p.leafIdx, leaves))).toEqual(p.proof)
  })

  const consistencies = v.consistency.filter(
    (p) => !p.wantErr && p.size1 > 0 && inTree(p.root1, p.size1) && inTree(p.root2, p.size2),
  )
  it.each(consistencies)('consistency $file', (p) => {
    expect(hexes(consistencyPath(p.size1, leafHashes.slice(0, p.size2)))).toEqual(p.proof)
  })

  it('found the happy paths it is meant to check', () => {
    expect(inclusions.length).toBeGreaterThanOrEqual(5)
    expect(consistencies.length).toBeGreaterThanOrEqual(5)
  })
})

// Where attest/merkle is deliberately stricter than upstream, with the reason. Upstream accepts
// equal sizes with equal roots of any length; here every root must be a 32-byte SHA-256 hash.
const STRICTER: Record<string, string> = {
  'consistency/additional/sizes-are-equal-one-and-proof-is-empty.json': '12-byte roots',
}

describe('verifiers agree with every upstream probe', () => {
  it('the stricter list names real probes that upstream accepts', () => {
    for (const file of Object.keys(STRICTER)) {
      const p = [...v.inclusion, ...v.consistency].find((x) => x.file === file)
      expect(p?.wantErr, file).toBe(false)
    }
  })

  it.each(v.inclusion)('inclusion $file', (p) => {
    const got = verdict(() =>
      verifyInclusion({
        leafHash: fromHex(p.leafHash ?? ''),
        index: p.leafIdx,
        treeSize: p.treeSize,
        path: p.proof.map((h) => fromHex(h)),
        root: fromHex(p.root ?? ''),
      }),
    )
    expect(got).toBe(p.wantErr || p.file in STRICTER ? 'error' : 'ok')
  })

  it.each(v.consistency)('consistency $file', (p) => {
    const got = verdict(() =>
      verifyConsistency({
        first: p.size1,
        second: p.size2,
        firstRoot: fromHex(p.root1 ?? ''),
        secondRoot: fromHex(p.root2 ?? ''),
        path: p.proof.map((h) => fromHex(h)),
      }),
    )
    expect(got).toBe(p.wantErr || p.file in STRICTER ? 'error' : 'ok')
  })
})
