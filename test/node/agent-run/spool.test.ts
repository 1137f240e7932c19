/**
 * The spool on a real filesystem: seq order, byte-exact entries, oldest-first drops that never
 * touch the claimed head, and recovery from every point where a crash can interrupt it (torn
 * temp file, settled-but-not-removed, drop-recorded-but-not-removed, written-but-not-counted),
 * with counters that stay exact. Property: any interleaving of appends and settlements keeps the
 * spool equal to a simple model.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { utf8 } from '../../../attest/bytes/encoding.ts'
import { entryName } from '../../../agent/spool/spool-files.ts'
import { loadMeta, saveMeta } from '../../../agent/spool/spool-meta.ts'
import { Spool } from '../../../agent/spool/spool.ts'
import { advanceSeq, nextSeq } from '../../../agent/batch/sequence.ts'

const root = mkdtempSync(path.join(tmpdir(), 'aegis-spool-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let n = 0
const fresh = () => path.join(root, `s${++n}`)
const payload = (seq: number, pad = 0) => utf8(JSON.stringify({ seq, pad: 'x'.repeat(pad) }))
const big = { maxBatches: 1000, maxBytes: 1 << 30 }

describe('Spool', () => {
  it('hands out entries in seq order with their exact bytes, and survives reopening', async () => {
    const dir = fresh()
    let s = await Spool.open(dir, big)
    for (const seq of [3, 5, 9]) await s.append(seq, payload(seq))
    s = await Spool.open(dir, big)
    expect(s.seqs()).toEqual([3, 5, 9])
    const head = await s.claimHead()
    expect(head?.seq).toBe(3)
    expect(head?.bytes).toEqual(payload(3))
    await s.settle(3, { kind: 'accepted' })
    expect((await s.claimHead())?.seq).toBe(5)
    s.release()
    expect((await s.claimHead())?.seq).toBe(5) // released: still the head
    await s.settle(5, { kind: 'rejected', code: 'ERR_GEO_OUTSIDE' })
    expect(s.counters()).toEqual({
      produced: 3,
      accepted: 1,
      rejected: 1,
      dropped: 0,
      quarantined: 0,
      rejectedByCode: { ERR_GEO_OUTSIDE: 1 },
    })
    expect(readdirSync(dir).sort()).toEqual([entryName(9), 'meta.json'])
  })

  it('refuses a seq that is not above everything seen, and only settles the claimed head', async () => {
    const s = await Spool.open(fresh(), big)
    await s.append(10, payload(10))
    await expect(s.append(10, payload(10))).rejects.toMatchObject({ code: 'ERR_INTERNAL' })
    await expect(s.append(7, payload(7))).rejects.toMatchObject({ code: 'ERR_INTERNAL' })
    await expect(s.settle(10, { kind: 'accepted' })).rejects.toMatchObject({ code: 'ERR_INTERNAL' })
  })

  it('drops the oldest entries beyond maxBatches, counts them, and never drops the claimed head', async () => {
    const s = await Spool.open(fresh(), { maxBatches: 3, maxBytes: 1 << 30 })
    for (const seq of [1, 2, 3]) expect((await s.append(seq, payload(seq))).dropped).toEqual([])
    expect((await s.append(4, payload(4))).dropped).toEqual([1])
    expect((await s.claimHead())?.seq).toBe(2)
    expect((await s.append(5, payload(5))).dropped).toEqual([3]) // 2 is in flight
    expect(s.seqs()).toEqual([2, 4, 5])
    await s.settle(2, { kind: 'accepted' })
    expect(s.counters()).toMatchObject({ produced: 5, accepted: 1, dropped: 2 })
  })

  it('bounds the bytes too', async () => {
    const s = await Spool.open(fresh(), { maxBatches: 100, maxBytes: 64 * 1024 })
    const size = payload(1, 20_000).length
    for (let seq = 1; seq <= 5; seq++) await s.append(seq, payload(seq, 20_000))
    expect(s.bytes).toBeLessThanOrEqual(64 * 1024)
    expect(s.seqs()).toEqual([3, 4, 5])
    expect(s.counters().dropped).toBe(2)
    expect(size * 3).toBeLessThanOrEqual(64 * 1024)
  })

  it('recovers from a crash at every step, without resending or miscounting', async () => {
    const dir = fresh()
    const s = await Spool.open(dir, big)
    for (const seq of [1, 2, 3, 4]) await s.append(seq, payload(seq))
    // 1. settled (mark written) but the file was not yet removed
    const meta = await loadMeta(dir)
    await saveMeta(dir, { ...meta, accepted: meta.accepted + 1, lastSettledSeq: 1 })
    // 2. a drop recorded but its file not yet removed
    await saveMeta(dir, { ...(await loadMeta(dir)), dropped: 1, pendingDrop: [3] })
    // 3. an entry written but not yet counted, and a torn temp file
    writeFileSync(path.join(dir, entryName(5)), payload(5))
    writeFileSync(path.join(dir, entryName(6) + '.123.456.tmp'), 'torn')
    const r = await Spool.open(dir, big)
    expect(r.seqs()).toEqual([2, 4, 5])
    expect(r.counters()).toMatchObject({ produced: 5, accepted: 1, dropped: 1 })
    expect(existsSync(path.join(dir, entryName(1)))).toBe(false)
    expect(existsSync(path.join(dir, entryName(3)))).toBe(false)
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false)
    expect(r.highWater).toBe(5)
  })

  it('moves an unreadable entry aside and goes on with the next', async () => {
    const dir = fresh()
    const s = await Spool.open(dir, big)
    await s.append(1, payload(1))
    await s.append(2, payload(2))
    writeFileSync(path.join(dir, entryName(1)), '{"seq": 7}')
    const r = await Spool.open(dir, big)
    expect((await r.claimHead())?.seq).toBe(2)
    expect(r.counters().quarantined).toBe(1)
    expect(existsSync(path.join(dir, 'corrupt', entryName(1)))).toBe(true)
  })

  it('matches a simple queue model under random appends, claims, settlements and reopenings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.constantFrom('append', 'append', 'claim', 'accept', 'reject', 'release', 'reopen'),
          { maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 6 }),
        async (ops, maxBatches) => {
          const dir = fresh()
          let s = await Spool.open(dir, { maxBatches, maxBytes: 1 << 30 })
          const model: number[] = []
          const c = { produced: 0, accepted: 0, rejected: 0, dropped: 0 }
          let seq = 0
          let claimed: number | undefined
          for (const op of ops) {
            if (op === 'append') {
              model.push(++seq)
              c.produced++
              const { dropped } = await s.append(seq, payload(seq))
              const expectDrop: number[] = []
              let count = model.length
              for (const x of model) {
                if (count <= maxBatches) break
                if (x === claimed) continue
                expectDrop.push(x)
                count--
              }
              expect(dropped).toEqual(expectDrop)
              for (const x of expectDrop) model.splice(model.indexOf(x), 1)
              c.dropped += expectDrop.length
            } else if (op === 'accept' || op === 'reject') {
              const h = claimed ?? (await s.claimHead())?.seq
              expect(h).toBe(model[0])
              if (h === undefined) continue
              await s.settle(
                h,
                op === 'accept'
                  ? { kind: 'accepted' }
                  : { kind: 'rejected', code: 'ERR_PCR_POLICY' },
              )
              model.shift()
              c[op === 'accept' ? 'accepted' : 'rejected']++
              claimed = undefined
            } else if (op === 'claim') {
              claimed ??= (await s.claimHead())?.seq
              expect(claimed).toBe(model[0])
            } else if (op === 'release') {
              s.release()
              claimed = undefined
            } else {
              s = await Spool.open(dir, { maxBatches, maxBytes: 1 << 30 })
              claimed = undefined
            }
            expect(s.seqs()).toEqual(model)
            expect(s.counters()).toMatchObject(c)
          }
        },
      ),
      { numRuns: 80 },
    )
  })
})

describe('seq counter', () => {
  it('is persisted before use and can be moved forward, never back', async () => {
    const dir = fresh()
    expect(await nextSeq(dir)).toBe(1)
    expect(await nextSeq(dir)).toBe(2)
    expect(await advanceSeq(dir, 10)).toBe(10)
    expect(await advanceSeq(dir, 5)).toBe(10)
    expect(await nextSeq(dir)).toBe(11)
  })
})
