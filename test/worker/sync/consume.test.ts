/**
 * The sync queue consumer in workerd with local D1, R2 and DOs: per-message acks, redelivery
 * storing nothing twice, a D1 failure retried without loss, poison messages dead-lettered with a
 * reason, rollups folded once per batch, and one evidence pack per queue batch whose byte ranges
 * are the bundles.
 */
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runInDurableObject,
} from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { toHex } from '../../../attest/bytes/encoding.ts'
import type { AcceptedBatch, AgentRecord } from '../../../worker/ledger/types.ts'
import worker from '../../../worker/index.ts'
import { resetState } from '../helpers/reset.ts'
import { acceptedBatch, agentRecord } from '../helpers/ledger-records.ts'
import { backoff } from '../../../worker/sync/consume.ts'
import { shardLog } from '../../../worker/log/log-stub.ts'
import { shardOf } from '../../../worker/log/shards.ts'

const AGENT = 'ab'.repeat(32)
const OTHER = 'ef'.repeat(32)
const MINUTE = 29_000_000 // a fixed minute bucket (ms = MINUTE * 60000)

const record = (agentId = AGENT): AgentRecord => agentRecord(agentId)

function batch(
  seq: number,
  values: number[],
  agentId = AGENT,
  name = 'temp.c',
  unit?: string,
): AcceptedBatch {
  const metrics = values.map((value) => ({ name, value, ...(unit ? { unit } : {}) }))
  const at = MINUTE * 60_000 + seq
  return acceptedBatch({ agentId, seq, at, lat: 1, lon: 2, metrics, zone: 'z1' })
}

async function seed(batches: AcceptedBatch[], agentId = AGENT, withRecord = true): Promise<void> {
  const stub = env.AGENT_LEDGER.get(env.AGENT_LEDGER.idFromName(agentId))
  await runInDurableObject(stub, (ledger, state) => {
    ledger.forgetCopies() // written behind the ledger's back
    if (withRecord)
      state.storage.sql.exec(
        'INSERT OR REPLACE INTO agent (id, record) VALUES (1, ?)',
        JSON.stringify(record(agentId)),
      )
    for (const b of batches) {
      state.storage.sql.exec(
        'INSERT OR REPLACE INTO outbox (batch_id, record, created_at, notified_at) VALUES (?, ?, ?, ?)',
        b.batchId,
        JSON.stringify(b),
        b.acceptedAt,
        b.acceptedAt,
      )
    }
  })
}

async function alarmOf(agentId = AGENT): Promise<number | null> {
  const stub = env.AGENT_LEDGER.get(env.AGENT_LEDGER.idFromName(agentId))
  return runInDurableObject(stub, (_o, state) => state.storage.getAlarm())
}

async function outboxDepth(agentId = AGENT): Promise<number> {
  const stub = env.AGENT_LEDGER.get(env.AGENT_LEDGER.idFromName(agentId))
  return runInDurableObject(
    stub,
    (_o, state) => state.storage.sql.exec('SELECT count(*) AS n FROM outbox').one().n as number,
  )
}

let msgN = 0
function msg(body: unknown, attempts = 1) {
  return { id: `m${++msgN}`, timestamp: Date.now(), attempts, body }
}

async function consume(
  queue: string,
  messages: ReturnType<typeof msg>[],
  vars: Record<string, string> = {},
) {
  const batch = createMessageBatch(queue, messages)
  const ctx = createExecutionContext()
  await worker.queue(batch as never, { ...env, ...vars } as never)
  return getQueueResult(batch, ctx)
}

const count = async (sql: string) => (await env.DB.prepare(sql).first<{ n: number }>())!.n

async function rollupRows() {
  const r = await env.DB.prepare(
    'SELECT minute, zone, agent_id, metrics FROM rollups ORDER BY agent_id',
  ).all<{ metrics: string }>()
  return r.results.map((x) => ({ ...x, metrics: JSON.parse(x.metrics) as unknown }))
}

/** A stored batch's bundle bytes: its byte range of the pack its row names. */
async function bundleOf(
  batchId: string,
): Promise<{ row: Record<string, unknown>; bytes: Uint8Array }> {
  const row = (await env.DB.prepare('SELECT * FROM batches WHERE batch_id = ?')
    .bind(batchId)
    .first<Record<string, unknown>>())!
  const obj = await env.EVIDENCE.get(row.evidence_key as string, {
    range: { offset: row.bundle_offset as number, length: row.bundle_length as number },
  })
  return { row, bytes: new Uint8Array(await obj!.arrayBuffer()) }
}

describe('sync consumer', () => {
  beforeEach(() => resetState([AGENT, OTHER]))

  it('stores an announced batch in R2 and D1, acks it and empties the outbox', async () => {
    const b = batch(1, [20, 22.5])
    await seed([b])
    const m = msg({ type: 'batch', agentId: AGENT, batchId: b.batchId })
    const r = await consume('aegis-sync', [m])
    expect(r.explicitAcks).toEqual([m.id])
    expect(r.retryMessages).toEqual([])
    const { row, bytes } = await bundleOf(b.batchId)
    expect(row).toMatchObject({
      agent_id: AGENT,
      seq: 1,
      metric_count: 2,
      zone: 'z1',
      bundle_offset: 0,
    })
    expect(row.evidence_key).toMatch(/^evidence\/packs\/day=\d{4}-\d\d-\d\d\/[0-9a-f]{64}\.ndjson$/)
    expect(toHex(sha256(bytes))).toBe(row.bundle_sha256)
    expect(JSON.parse(new TextDecoder().decode(bytes))).toMatchObject({
      format: 'aegis-evidence/1',
      batchId: b.batchId,
    })
    expect(typeof row.log_index).toBe('number')
    expect(await rollupRows()).toEqual([
      {
        minute: MINUTE,
        zone: 'z1',
        agent_id: AGENT,
        metrics: { 'temp.c': [2, 42.5, 20, 22.5, null] },
      },
    ])
    expect(
      await count(
        "SELECT count(*) AS n FROM decisions WHERE verdict = 'accept' AND kind = 'batch'",
      ),
    ).toBe(1)
    expect(await outboxDepth()).toBe(0)
  })

  it('stores nothing twice when a message is redelivered, in the same batch or later', async () => {
    const b = batch(2, [1])
    await seed([b])
    const body = { type: 'batch', agentId: AGENT, batchId: b.batchId }
    const r1 = await consume('aegis-sync', [msg(body), msg(body)])
    expect(r1.explicitAcks).toHaveLength(2)
    await seed([b]) // even if the entry reappeared in the outbox
    const r2 = await consume('aegis-sync', [msg(body, 2)])
    expect(r2.explicitAcks).toHaveLength(1)
    expect(await count('SELECT count(*) AS n FROM batches')).toBe(1)
    expect(await count('SELECT count(*) AS n FROM decisions')).toBe(1)
    // the replays folded nothing: one point, counted once
    expect((await rollupRows()).map((r) => r.metrics)).toEqual([{ 'temp.c': [1, 1, 1, 1, null] }])
  })

  it('retries on a D1 failure, keeps the batch in the outbox, and stores it on redelivery', async () => {
    const b = batch(3, [5])
    await seed([b])
    await env.DB.exec('ALTER TABLE rollups RENAME TO rollups_away')
    const m = msg({ type: 'batch', agentId: AGENT, batchId: b.batchId })
    let r
    try {
      r = await consume('aegis-sync', [m])
    } finally {
      await env.DB.exec('ALTER TABLE rollups_away RENAME TO rollups')
    }
    expect(r.explicitAcks).toEqual([])
    expect(r.retryMessages.map((x) => x.msgId)).toEqual([m.id])
    expect(await outboxDepth()).toBe(1)
    expect(await count('SELECT count(*) AS n FROM batches')).toBe(0)
    const again = await consume('aegis-sync', [msg(m.body, 2)])
    expect(again.explicitAcks).toHaveLength(1)
    expect(await count('SELECT count(*) AS n FROM batches')).toBe(1)
    expect(await outboxDepth()).toBe(0)
  })

  it('dead-letters poison messages with a reason and acks them; the DLQ consumer records them', async () => {
    const poison = msg({ type: 'nonsense' })
    const r = await consume('aegis-sync', [poison])
    expect(r.explicitAcks).toEqual([poison.id])
    expect(r.retryMessages).toEqual([])
    const dl = msg({ reason: 'not a sync message', id: poison.id, attempts: 1, body: poison.body })
    const platform = msg({ type: 'batch', agentId: AGENT, batchId: 'cd'.repeat(32) }, 11)
    const d = await consume('aegis-sync-dlq', [dl, platform])
    expect(d.explicitAcks).toHaveLength(2)
    const rows = await env.DB.prepare('SELECT reason, body FROM dead_letters ORDER BY id').all<{
      reason: string
      body: string
    }>()
    expect(rows.results.map((x) => x.reason)).toEqual([
      'not a sync message',
      'max retries exceeded',
    ])
    expect(JSON.parse(rows.results[0]!.body)).toEqual({ type: 'nonsense' })
  })

  it('folds each batch into its minute bucket once: count, sum, min, max over all points, the unit kept', async () => {
    const b1 = batch(4, [10, 30])
    const b2 = batch(5, [20])
    const b3 = batch(6, [7], AGENT, 'cpu.load1', '1')
    await seed([b1, b2, b3])
    await consume('aegis-sync', [msg({ type: 'batch', agentId: AGENT, batchId: b1.batchId })])
    // b2 and b3 in one queue batch, b1 announced again with them
    await consume(
      'aegis-sync',
      [b2, b3, b1].map((b) => msg({ type: 'batch', agentId: AGENT, batchId: b.batchId })),
    )
    expect(await rollupRows()).toEqual([
      {
        minute: MINUTE,
        zone: 'z1',
        agent_id: AGENT,
        metrics: { 'temp.c': [3, 60, 10, 30, null], 'cpu.load1': [1, 7, 7, 7, '1'] },
      },
    ])
  })

  it('stores the batches of several agents in one pack; each bundle is its byte range', async () => {
    const a = [batch(7, [1]), batch(8, [2])]
    const o = batch(1, [3], OTHER)
    await seed(a)
    await seed([o], OTHER)
    const keys = async () =>
      (await env.EVIDENCE.list({ prefix: 'evidence/packs/' })).objects.map((x) => x.key)
    const before = new Set(await keys()) // R2 is shared by the tests of this file
    const r = await consume(
      'aegis-sync',
      [...a, o].map((b) => msg({ type: 'batch', agentId: b.agentId, batchId: b.batchId })),
    )
    expect(r.explicitAcks).toHaveLength(3)
    const stored = await Promise.all([...a, o].map((b) => bundleOf(b.batchId)))
    expect(new Set(stored.map((s) => s.row.evidence_key)).size).toBe(1)
    expect((await keys()).filter((k) => !before.has(k))).toEqual([stored[0]!.row.evidence_key])
    const pack = new Uint8Array(
      await (await env.EVIDENCE.get(stored[0]!.row.evidence_key as string))!.arrayBuffer(),
    )
    // the pack is NDJSON of the bundles, nothing else, and content-addressed
    const lines = new TextDecoder().decode(pack).split('\n')
    expect(lines.at(-1)).toBe('')
    expect(
      lines
        .slice(0, -1)
        .map((l) => (JSON.parse(l) as { batchId: string }).batchId)
        .sort(),
    ).toEqual([...a, o].map((b) => b.batchId).sort())
    expect(stored[0]!.row.evidence_key).toContain(toHex(sha256(pack)))
    for (const s of stored) {
      expect(toHex(sha256(s.bytes))).toBe(s.row.bundle_sha256)
      expect(JSON.parse(new TextDecoder().decode(s.bytes))).toMatchObject({
        batchId: s.row.batch_id,
      })
    }
    expect(new Set(stored.map((s) => s.row.log_index)).size).toBe(3)
    expect([await outboxDepth(), await outboxDepth(OTHER)]).toEqual([0, 0])
  })

  it('drops the re-announce alarm once the outbox is empty, keeps it while entries remain', async () => {
    const [b1, b2] = [batch(10, [1]), batch(11, [2])]
    await seed([b1, b2])
    const stub = env.AGENT_LEDGER.get(env.AGENT_LEDGER.idFromName(AGENT))
    await runInDurableObject(stub, (_o, state) => state.storage.setAlarm(Date.now() + 30_000))
    await consume('aegis-sync', [msg({ type: 'batch', agentId: AGENT, batchId: b1.batchId })])
    expect(await alarmOf()).not.toBeNull() // b2 is still waiting
    await consume('aegis-sync', [msg({ type: 'batch', agentId: AGENT, batchId: b2.batchId })])
    expect(await outboxDepth()).toBe(0)
    expect(await alarmOf()).toBeNull()
  })

  it('injected faults (development only) retry at each step and never store or fold twice', async () => {
    const dev = { ENVIRONMENT: 'development' }
    for (const [i, point] of ['r2', 'log', 'd1', 'ack'].entries()) {
      const b = batch(20 + i, [3, 4])
      await seed([b])
      const m = () => msg({ type: 'batch', agentId: AGENT, batchId: b.batchId })
      const failed = await consume('aegis-sync', [m()], { ...dev, SYNC_FAULTS: `${point}:1` })
      expect([point, failed.explicitAcks, failed.retryMessages.length]).toEqual([point, [], 1])
      expect(await outboxDepth()).toBe(1)
      // stored up to the fault: the batch row exists only when the fault came after the D1 batch
      expect(await count(`SELECT count(*) AS n FROM batches WHERE batch_id = '${b.batchId}'`)).toBe(
        point === 'ack' ? 1 : 0,
      )
      const again = await consume('aegis-sync', [m()], dev)
      expect(again.explicitAcks).toHaveLength(1)
      expect(await outboxDepth()).toBe(0)
    }
    expect(await count('SELECT count(*) AS n FROM batches')).toBe(4)
    expect(await count("SELECT count(*) AS n FROM decisions WHERE verdict = 'accept'")).toBe(4)
    // 4 batches x 2 points, each folded exactly once
    expect((await rollupRows()).map((r) => r.metrics)).toEqual([{ 'temp.c': [8, 28, 3, 4, null] }])
    // outside development the switch does nothing
    const p = batch(30, [1])
    await seed([p])
    const prod = await consume(
      'aegis-sync',
      [msg({ type: 'batch', agentId: AGENT, batchId: p.batchId })],
      {
        ENVIRONMENT: 'production',
        SYNC_FAULTS: 'r2:1,log:1,d1:1,ack:1',
      },
    )
    expect(prod.explicitAcks).toHaveLength(1)
  })

  it("one agent's failing entry (a log conflict) does not hold back the others of its queue batch", async () => {
    const good = batch(40, [5])
    const bad = batch(3, [6], OTHER)
    await seed([good])
    await seed([bad], OTHER)
    // the bad batch is already logged with another bundle (in the shard of its acceptedAt):
    // appending it again is ERR_LOG_CONFLICT
    await shardLog(env, shardOf(bad.acceptedAt, 'month')).append([
      { batchId: bad.batchId, bundleSha256: 'ff'.repeat(32) },
    ])
    const mg = msg({ type: 'batch', agentId: AGENT, batchId: good.batchId })
    const mb = msg({ type: 'batch', agentId: OTHER, batchId: bad.batchId })
    const r = await consume('aegis-sync', [mg, mb])
    expect(r.explicitAcks).toEqual([mg.id])
    expect(r.retryMessages.map((x) => x.msgId)).toEqual([mb.id])
    expect(
      await count(`SELECT count(*) AS n FROM batches WHERE batch_id = '${good.batchId}'`),
    ).toBe(1)
    expect(await count(`SELECT count(*) AS n FROM batches WHERE batch_id = '${bad.batchId}'`)).toBe(
      0,
    )
    expect([await outboxDepth(), await outboxDepth(OTHER)]).toEqual([0, 1])
  })

  it('retries only the agent whose outbox cannot be read; the others are stored and acked', async () => {
    const good = batch(9, [1])
    const bad = batch(2, [1], OTHER)
    await seed([good])
    await seed([bad], OTHER, false) // an outbox entry without an agent record: not storable
    const mg = msg({ type: 'batch', agentId: AGENT, batchId: good.batchId })
    const mb = msg({ type: 'batch', agentId: OTHER, batchId: bad.batchId })
    const r = await consume('aegis-sync', [mg, mb])
    expect(r.explicitAcks).toEqual([mg.id])
    expect(r.retryMessages.map((x) => x.msgId)).toEqual([mb.id])
    expect(await count('SELECT count(*) AS n FROM batches')).toBe(1)
    expect(await outboxDepth(OTHER)).toBe(1)
  })

  it('backs off exponentially, capped', () => {
    expect([1, 2, 3, 8, 20].map(backoff)).toEqual([2, 4, 8, 256, 256])
  })

  it('inserts audit decisions and acks each message', async () => {
    const d = {
      at: 1,
      kind: 'batch',
      agentId: AGENT,
      batchId: null,
      verdict: 'reject',
      code: 'ERR_GEO_OUTSIDE',
      zone: null,
      cfCountry: null,
      verifyMs: 1.5,
      detail: { x: 1 },
    }
    const m1 = msg({ type: 'decision', decision: d })
    const m2 = msg({ type: 'decision', decision: { ...d, code: 'ERR_PCR_POLICY' } })
    const r = await consume('aegis-sync', [m1, m2])
    expect(r.explicitAcks.sort()).toEqual([m1.id, m2.id].sort())
    expect(await count("SELECT count(*) AS n FROM decisions WHERE verdict = 'reject'")).toBe(2)
  })
})
