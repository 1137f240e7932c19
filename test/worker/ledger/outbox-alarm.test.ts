/**
 * The outbox's no-loss guarantee inside workerd: the ingest route announces an accepted batch to
 * the sync queue with waitUntil after answering 202, so that send can be lost. The ledger's alarm
 * re-announces every outbox entry not acknowledged as stored, and only those, until the outbox
 * is empty. Admission here goes straight to the ledger, so the route's send never happens: the
 * alarm alone must bring the batch to the real queue, whose real consumer stores it in D1.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { OUTBOX_RENOTIFY_MS } from '../../../worker/ledger/agent-ledger.ts'
import { admitRequest, enrolledAgent, type LedgerAgent } from './ledger-fixture.ts'
import { resetState } from '../helpers/reset.ts'

type Sent = { body: { type: string; agentId: string; batchId: string } }

let a: LedgerAgent

/**
 * Record what the ledger's alarm sends while still sending it to the real queue: the DO's env is
 * wrapped on the live instance, which the alarm then runs on.
 */
async function recordQueueSends(): Promise<Sent[]> {
  const sent: Sent[] = []
  await runInDurableObject(a.stub, (instance) => {
    const o = instance as unknown as { env: Env }
    const queue = env.SYNC_QUEUE
    o.env = {
      ...o.env,
      SYNC_QUEUE: {
        ...queue,
        sendBatch: (msgs: Iterable<MessageSendRequest<Sent['body']>>) => {
          sent.push(...[...msgs].map((m) => ({ body: m.body })))
          return queue.sendBatch([...msgs])
        },
      } as Queue,
    }
  })
  return sent
}

/** Pretend the announcements were made `OUTBOX_RENOTIFY_MS` ago (the alarm's staleness rule). */
async function ageOutbox(): Promise<void> {
  await runInDurableObject(a.stub, (_o, state) => {
    state.storage.sql.exec('UPDATE outbox SET notified_at = ?', Date.now() - OUTBOX_RENOTIFY_MS)
  })
}

async function admit(seq: number): Promise<string> {
  const req = admitRequest(a, { seq })
  const r = await a.ledger.admitBatch(req)
  expect(r.ok).toBe(true)
  return req.batch.batchId
}

async function storedBatchIds(): Promise<string[]> {
  const rows = await env.DB.prepare('SELECT batch_id FROM batches WHERE agent_id = ?')
    .bind(a.agentId)
    .all<{ batch_id: string }>()
  return rows.results.map((r) => r.batch_id).sort()
}

beforeEach(async () => {
  await resetState()
  a = await enrolledAgent()
})

describe('AgentLedger outbox alarm', () => {
  it('re-sends an accepted batch whose queue send was lost, and the consumer stores it', async () => {
    const id = await admit(1)
    const sent = await recordQueueSends()

    // Announced just now (as far as the ledger knows): the alarm waits and stays armed.
    expect(await runDurableObjectAlarm(a.stub)).toBe(true)
    expect(sent).toEqual([])
    expect(await storedBatchIds()).toEqual([])

    await ageOutbox()
    expect(await runDurableObjectAlarm(a.stub)).toBe(true)
    expect(sent).toEqual([{ body: { type: 'batch', agentId: a.agentId, batchId: id } }])

    // The real queue delivers to the real consumer, which stores the batch and acks the outbox;
    // with nothing left the alarm is gone.
    await vi.waitFor(async () => expect(await storedBatchIds()).toEqual([id]), {
      timeout: 10_000,
      interval: 100,
    })
    await vi.waitFor(async () => expect(await a.ledger.outboxDepth()).toBe(0))
    expect(await runDurableObjectAlarm(a.stub)).toBe(false)
  }, 20_000)

  it('re-sends only entries not yet acknowledged', async () => {
    const acked = await admit(1)
    const pending = await admit(2)
    await a.ledger.ackOutbox([acked])
    const sent = await recordQueueSends()
    await ageOutbox()

    expect(await runDurableObjectAlarm(a.stub)).toBe(true)
    expect(sent.map((m) => m.body.batchId)).toEqual([pending])
  })

  it('re-arms while anything is outstanding and drops the alarm once all is acknowledged', async () => {
    const ids = [await admit(1), await admit(2)]
    await a.ledger.ackOutbox([ids[0]!])
    const armed = await runInDurableObject(a.stub, (_o, state) => state.storage.getAlarm())
    expect(armed).not.toBeNull()
    await a.ledger.ackOutbox([ids[1]!])
    const none = await runInDurableObject(a.stub, (_o, state) => state.storage.getAlarm())
    expect(none).toBeNull()
    expect(await runDurableObjectAlarm(a.stub)).toBe(false)
  })
})
