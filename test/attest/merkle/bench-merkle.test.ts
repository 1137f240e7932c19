// The log benchmark cases (bench/cases/merkle.ts) run inside workerd and check what they time.
import { describe, expect, it } from 'vitest'
import { verifyInclusion } from '../../../attest/merkle/verify-inclusion.ts'
import { benchTree, cases, LOG_BENCH_SIZE } from '../../../bench/cases/merkle.ts'

describe('bench/cases/merkle.ts', () => {
  it('proves and verifies inclusion in a 100,000-leaf tree', async () => {
    expect(cases.map((c) => c.name)).toEqual(['log.inclusion-proof', 'log.verify-inclusion'])
    const [prove, verify] = cases
    const tree = benchTree()
    expect(tree.levels[0]).toHaveLength(LOG_BENCH_SIZE)
    const ctx = (await prove!.setup()) as { next: number }
    for (let k = 0; k < 3; k++) {
      const path = (await prove!.run(ctx)) as Uint8Array[]
      const index = ctx.next
      expect(path).toHaveLength(17) // ceil(log2(100000))
      const p = {
        leafHash: tree.levels[0]![index]!,
        index,
        treeSize: tree.size,
        path,
        root: tree.root,
      }
      verifyInclusion(p)
      expect(() => verifyInclusion({ ...p, index: (index + 1) % tree.size })).toThrowError(
        expect.objectContaining({ code: 'ERR_LOG_PROOF' }),
      )
    }
    const vctx = await verify!.setup()
    for (let k = 0; k < 3; k++) expect(await verify!.run(vctx)).toBe((k * 7919) % LOG_BENCH_SIZE)
  }, 120_000)
})
