/**
 * Coalesced batch announcements (worker/sync/announce.ts) in workerd on the real local queue,
 * counted on the way through: the acceptances of one window go out in one sendBatch, at most 100
 * per call, every one exactly once, across request contexts; a failed send throws nowhere.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  ANNOUNCE_MAX,
  announceBatch,
  clearAnnouncements,
  pendingAnnouncements,
} from '../../../worker/sync/announce.ts'

const AGENT = 'd4'.repeat(32)
const batchId = (i: number) => i.toString(16).padStart(64, '0')

/** The real SYNC_QUEUE, with each sendBatch call's messages recorded. */
function countingQueue(fail = false) {
  const calls: { body: { batchId: string } }[][] = []
  const queue = {
    sendBatch: async (msgs: Iterable<MessageSendRequest>) => {
      const list = [...msgs] as { body: { batchId: string } }[]
      calls.push(list)
      if (fail) throw new Error('queue unavailable')
      await env.SYNC_QUEUE.sendBatch(list)
    },
  }
  return { calls, env: { SYNC_QUEUE: queue as unknown as Queue } }
}

beforeEach(() => clearAnnouncements())

describe('announceBatch', () => {
  it('sends the acceptances of one window, from several requests, in one sendBatch', async () => {
    const q = countingQueue()
    const ctxs = Array.from({ length: 5 }, () => createExecutionContext())
    ctxs.forEach((ctx, i) => announceBatch(q.env, ctx, { agentId: AGENT, batchId: batchId(i) }))
    await Promise.all(ctxs.map((ctx) => waitOnExecutionContext(ctx)))
    expect(q.calls.map((c) => c.length)).toEqual([5])
    expect(q.calls[0]!.map((m) => m.body.batchId)).toEqual([0, 1, 2, 3, 4].map(batchId))
    expect(pendingAnnouncements()).toBe(0)
  })

  it('sends at most 100 per call, each message once', async () => {
    const q = countingQueue()
    const ctx = createExecutionContext()
    const n = ANNOUNCE_MAX + 50
    for (let i = 0; i < n; i++) announceBatch(q.env, ctx, { agentId: AGENT, batchId: batchId(i) })
    await waitOnExecutionContext(ctx)
    expect(q.calls.map((c) => c.length)).toEqual([ANNOUNCE_MAX, 50])
    const ids = q.calls.flat().map((m) => m.body.batchId)
    expect(new Set(ids).size).toBe(n)
  })

  it('a later window is a new sendBatch', async () => {
    const q = countingQueue()
    for (const i of [1, 2]) {
      const ctx = createExecutionContext()
      announceBatch(q.env, ctx, { agentId: AGENT, batchId: batchId(i) })
      await waitOnExecutionContext(ctx)
    }
    expect(q.calls.map((c) => c.map((m) => m.body.batchId))).toEqual([[batchId(1)], [batchId(2)]])
  })

  it('a failed send is logged, not thrown, and leaves nothing pending (the ledger re-announces)', async () => {
    const q = countingQueue(true)
    const ctx = createExecutionContext()
    announceBatch(q.env, ctx, { agentId: AGENT, batchId: batchId(7) })
    await waitOnExecutionContext(ctx)
    expect(q.calls).toHaveLength(1)
    expect(pendingAnnouncements()).toBe(0)
  })
})
