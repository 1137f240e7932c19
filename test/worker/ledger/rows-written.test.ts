/**
 * What one admission and its acknowledgement write to the ledger's SQLite storage, counted as
 * Durable Object storage bills it (each statement's rowsWritten, index entries included): the
 * per-batch figure docs/scale.md prices. The figures are bounds, so a change that adds a write
 * to the hot path shows here.
 */
import { runInDurableObject } from 'cloudflare:test'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  BATCH_KEYED_ACCEPTED,
  LEGACY_LEDGER_SCHEMA,
  ensureLedgerSchema,
} from '../../../worker/ledger/ledger-schema.ts'
import type { AgentLedger } from '../../../worker/ledger/agent-ledger.ts'
import { accepted, admitRequest, enrolledAgent, type LedgerAgent } from './ledger-fixture.ts'

let a: LedgerAgent
const typed = (stub: DurableObjectStub) => stub as DurableObjectStub<AgentLedger>

beforeEach(async () => {
  a = await enrolledAgent()
})

describe('AgentLedger rows written per batch', () => {
  it('an admission, then its acknowledgement', async () => {
    // A first batch, so the replay row exists and the prune has run (steady state)
    const first = accepted(await a.ledger.admitBatch(admitRequest(a, { seq: 1 })))
    let nonce = first.nextNonce
    const counts: { admit: number; ack: number }[] = []
    for (let seq = 2; seq <= 6; seq++) {
      const req = admitRequest(a, { seq, nonce })
      const w0 = await a.ledger.rowsWritten()
      const r = accepted(await a.ledger.admitBatch(req))
      const w1 = await a.ledger.rowsWritten()
      await a.ledger.ackOutbox([r.accepted!.batchId])
      const w2 = await a.ledger.rowsWritten()
      counts.push({ admit: w1 - w0, ack: w2 - w1 })
      nonce = r.nextNonce
    }
    // replay state (which holds the spent nonce's order key), accepted id, outbox entry; the ack
    // deletes the outbox entry. (The rowid tables with an index on accepted.seq wrote 8 per
    // admission, then 4 with a spent_nonces row each.)
    expect(counts).toEqual(Array.from({ length: 5 }, () => ({ admit: 3, ack: 1 })))
  })

  it('later, nothing of the spent nonces is left to prune: no more rows per batch', async () => {
    let nonce = accepted(await a.ledger.admitBatch(admitRequest(a, { seq: 1 }))).nextNonce
    for (let seq = 2; seq <= 5; seq++)
      nonce = accepted(await a.ledger.admitBatch(admitRequest(a, { seq, nonce }))).nextNonce
    // Ten minutes on (the ledger prunes on the admission's acceptedAt, at most every 10 s): every
    // nonce spent so far has expired (60 s); a spent_nonces table had one row each to delete now.
    const req = admitRequest(a, { seq: 6, nonce })
    req.batch.acceptedAt += 600_000
    const w0 = await a.ledger.rowsWritten()
    accepted(await a.ledger.admitBatch(req))
    const w1 = await a.ledger.rowsWritten()
    expect(w1 - w0).toBe(3)
    const tables = await runInDurableObject(a.stub, (_l, state) =>
      state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .toArray()
        .map((t) => t.name),
    )
    expect(tables).not.toContain('spent_nonces')
  })

  it('after a re-enrollment reset the seqs, a new batch under an old seq is admitted', async () => {
    const first = accepted(await a.ledger.admitBatch(admitRequest(a, { seq: 1 })))
    // What activation does to the replay state (agent-ledger.ts): the next seq starts anew.
    await runInDurableObject(typed(a.stub), (ledger, state) => {
      state.storage.sql.exec(
        "UPDATE replay SET state = json_set(state, '$.lastSeq', NULL) WHERE id = 1",
      )
      ledger.forgetCopies()
    })
    const again = accepted(
      await a.ledger.admitBatch(admitRequest(a, { seq: 1, value: 99, nonce: first.nextNonce })),
    )
    expect(again.accepted?.batchId).not.toBe(first.accepted!.batchId)
    const rows = await runInDurableObject(a.stub, (_l, state) =>
      state.storage.sql.exec('SELECT seq, batch_id FROM accepted').toArray(),
    )
    expect(rows).toEqual([{ seq: 1, batch_id: again.accepted!.batchId }])
  })

  it('an admission reads a handful of rows, however many batches the ledger remembers', async () => {
    let nonce = accepted(await a.ledger.admitBatch(admitRequest(a, { seq: 1 }))).nextNonce
    // 12,000 remembered batches, as a week at one batch a minute leaves them
    await runInDurableObject(typed(a.stub), (ledger, state) => {
      const sql = state.storage.sql
      for (let seq = 2; seq <= 12_001; seq++)
        sql.exec(
          'INSERT INTO accepted (seq, batch_id, receipt, accepted_at) VALUES (?, ?, ?, ?)',
          seq,
          seq.toString(16).padStart(64, '0'),
          'r',
          seq,
        )
      sql.exec("UPDATE replay SET state = json_set(state, '$.lastSeq', 12001) WHERE id = 1")
      ledger.forgetCopies()
    })
    const reads: number[] = []
    for (const seq of [12_002, 12_003, 12_004]) {
      // A hibernated ledger: a fresh instance remembers no prune, so every admission prunes.
      await runInDurableObject(typed(a.stub), (ledger) => ledger.forgetCopies())
      const r0 = await a.ledger.rowsRead()
      nonce = accepted(await a.ledger.admitBatch(admitRequest(a, { seq, nonce }))).nextNonce
      reads.push((await a.ledger.rowsRead()) - r0)
    }
    // The first prune deletes the 2,002 batches beyond the memory; the next ones one each.
    expect(reads[0]).toBeGreaterThan(2_000)
    expect(reads[1]).toBeLessThan(20)
    expect(reads[2]).toBeLessThan(20)
    const kept = await runInDurableObject(
      a.stub,
      (_l, state) =>
        state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM accepted').one().n,
    )
    expect(kept).toBe(10_000)
  })
})

describe('the ledger schema migration (worker/ledger/ledger-schema.ts)', () => {
  it('rekeys accepted by seq, keeping every row, and a retry is still answered with its receipt', async () => {
    const req = admitRequest(a, { seq: 1 })
    const first = accepted(await a.ledger.admitBatch(req))
    const before = await runInDurableObject(typed(a.stub), (ledger, state) => {
      const sql = state.storage.sql
      const rows = sql.exec('SELECT seq, batch_id, receipt, accepted_at FROM accepted').toArray()
      sql.exec('DROP TABLE accepted')
      sql.exec(BATCH_KEYED_ACCEPTED)
      for (const r of rows)
        sql.exec(
          'INSERT INTO accepted (batch_id, seq, receipt, accepted_at) VALUES (?, ?, ?, ?)',
          r.batch_id,
          r.seq,
          r.receipt,
          r.accepted_at,
        )
      ledger.forgetCopies()
      return rows
    })
    const after = await runInDurableObject(a.stub, (_l, state) => {
      const sql = state.storage.sql
      state.storage.transactionSync(() => ensureLedgerSchema(sql))
      return {
        schema: sql
          .exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'accepted'")
          .one().sql,
        rows: sql.exec('SELECT seq, batch_id, receipt, accepted_at FROM accepted').toArray(),
      }
    })
    expect(after.schema).toMatch(/\(\s*seq INTEGER PRIMARY KEY/)
    expect(after.rows).toEqual(before)
    // The same payload again, with a fresh nonce: the original receipt, nothing admitted anew.
    const retry = accepted(
      await a.ledger.admitBatch({ ...req, batch: { ...req.batch, nonce: first.nextNonce } }),
    )
    expect(retry.duplicateOf?.receipt).toBe(first.accepted!.receipt)
  })

  it('rebuilds the old rowid tables WITHOUT ROWID, keeping every row, drops spent_nonces, and the ledger goes on', async () => {
    // A ledger as the old code left it: an accepted batch, its outbox entry, a spent (version 1)
    // nonce, and a replay state without a nonce order key.
    const req = admitRequest(a, { seq: 1 })
    const first = accepted(await a.ledger.admitBatch(req))
    const dump = (sql: SqlStorage) =>
      Object.fromEntries(
        ['accepted', 'outbox'].map((t) => [
          t,
          sql.exec(`SELECT * FROM ${t} ORDER BY batch_id`).toArray(),
        ]),
      )
    const before = await runInDurableObject(typed(a.stub), (ledger, state) => {
      const sql = state.storage.sql
      const rows = dump(sql)
      sql.exec('DROP TABLE accepted; DROP TABLE outbox')
      sql.exec(LEGACY_LEDGER_SCHEMA)
      sql.exec("INSERT INTO spent_nonces (nonce, expires_at) VALUES ('AQ-old', 1)")
      sql.exec("UPDATE replay SET state = json_remove(state, '$.nonce') WHERE id = 1")
      for (const [t, rs] of Object.entries(rows)) {
        for (const r of rs) {
          const cols = Object.keys(r)
          sql.exec(
            `INSERT INTO ${t} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
            ...cols.map((c) => r[c]),
          )
        }
      }
      ledger.forgetCopies()
      return rows
    })
    expect(before.accepted).toHaveLength(1)

    const after = await runInDurableObject(a.stub, (_o, state) => {
      const sql = state.storage.sql
      const legacy = sql
        .exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'accepted'")
        .one().sql
      state.storage.transactionSync(() => ensureLedgerSchema(sql))
      const schema = sql
        .exec<{ name: string; sql: string | null }>(
          "SELECT name, sql FROM sqlite_master WHERE name IN ('spent_nonces', 'accepted', 'outbox', 'accepted_seq')",
        )
        .toArray()
      return { legacy, schema, rows: dump(sql) }
    })
    expect(after.legacy).not.toMatch(/WITHOUT ROWID/)
    expect(after.rows).toEqual(before)
    expect(after.schema.map((s) => s.name).sort()).toEqual(['accepted', 'outbox'])
    for (const s of after.schema) expect(s.sql).toMatch(/WITHOUT ROWID/)

    // The migrated ledger: the replay state has no order yet, so the first nonce spent starts it;
    // the same payload again is the duplicate it was, and the next batch is admitted.
    expect(await a.ledger.getReplayState()).not.toHaveProperty('nonce')
    const retry = accepted(
      await a.ledger.admitBatch({ ...req, batch: { ...req.batch, nonce: first.nextNonce } }),
    )
    expect(retry.duplicateOf?.receipt).toBe(first.accepted!.receipt)
    const next = accepted(
      await a.ledger.admitBatch(admitRequest(a, { seq: 2, nonce: retry.nextNonce })),
    )
    expect(next.accepted?.seq).toBe(2)
    expect(
      await a.ledger.admitBatch(admitRequest(a, { seq: 3, nonce: first.nextNonce })),
    ).toMatchObject({ ok: false, error: { code: 'ERR_NONCE_REPLAYED' } })
    // and running it again changes nothing
    const again = await runInDurableObject(a.stub, (_o, state) => {
      state.storage.transactionSync(() => ensureLedgerSchema(state.storage.sql))
      return dump(state.storage.sql)
    })
    expect(again.accepted).toHaveLength(2)
  })
})
