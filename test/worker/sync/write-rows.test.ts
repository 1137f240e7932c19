/**
 * What storing a pack writes to D1 (worker/sync/write-rows.ts), as D1 bills it: per batch one
 * rollup fold, one accept decision and one batch row (3 table rows), and `rows_written` with their
 * index entries (6 since migration 0008). The bounds are exact, so an index or a row added to the hot path shows here.
 * (test/worker/dashboard/bounded-reads.test.ts checks that every index is one a query uses.)
 */
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { acceptedBatch } from '../helpers/ledger-records.ts'
import { resetState } from '../helpers/reset.ts'
import { agentRecord } from '../helpers/ledger-records.ts'
import { bundleItems, packBundles } from '../../../worker/sync/pack-bundles.ts'
import { writeRows } from '../../../worker/sync/write-rows.ts'

const AGENT = 'cd'.repeat(32)

beforeEach(async () => {
  await resetState()
})

/** n batches from seq `from`, one a minute, or `spacingMs` apart (1000: one rollup bucket). */
async function packOf(n: number, from = 1, spacingMs = 60_000) {
  const agent = agentRecord(AGENT)
  const items = Array.from({ length: n }, (_, i) => {
    const b = acceptedBatch({
      agentId: AGENT,
      seq: from + i,
      at: 1_750_000_000_000 + (from + i) * spacingMs,
      lat: 1,
      lon: 2,
      metrics: [
        { name: 'temp.c', value: from + i },
        { name: 'rh.pct', value: 50 },
      ],
      zone: 'z1',
    })
    return { b, agent }
  })
  return packBundles(bundleItems(items))
}

describe('writeRows: D1 rows per stored batch', () => {
  it('3 table rows and 6 billed rows per batch, 5 per pack; a replay writes no row', async () => {
    const pack = await packOf(10)
    const indices = new Map(pack.entries.map((e, i) => [e.b.batchId, i]))
    const w = await writeRows(env.DB, pack, indices)
    // Per pack (one agent here): the two totals, the accept decisions' count, the agent's count,
    // the pack's sync row and its two metric names' last minute, WITHOUT ROWID tables without
    // indexes (migration 0009).
    const perPack = 7
    expect(w.rows).toBe(3 * 10 + perPack)
    // rollup row; decision row + decisions_agent_at, decisions_at; batch row (WITHOUT ROWID) +
    // (agent_id, seq): 6. Before migration 0008: 9 (sqlite_sequence, decisions_accepted_batch and
    // the batches key's own index); before 0007: 10 (decisions_code_at).
    expect(w.billed).toBe(6 * 10 + perPack)
    const again = await writeRows(env.DB, pack, indices)
    expect(again.rows).toBe(0)
    expect(again.billed).toBe(0)
    const n = await env.DB.prepare(
      "SELECT count(*) AS n, count(DISTINCT batch_id) AS ids FROM decisions WHERE verdict != 'reject'",
    ).first<{ n: number; ids: number }>()
    expect(n).toEqual({ n: 10, ids: 10 })
  })

  it('a pack stored again with new batches adds decisions for the new ones only', async () => {
    const first = await packOf(4)
    await writeRows(env.DB, first, new Map())
    // A redelivery that overlaps: batches 3-6, two stored already.
    const overlap = await packOf(4, 3)
    const w = await writeRows(env.DB, overlap, new Map())
    expect(w.rows).toBe(3 * 2 + 7)
    const { results } = await env.DB.prepare(
      'SELECT batch_id, count(*) AS n FROM decisions GROUP BY batch_id',
    ).all<{ batch_id: string; n: number }>()
    expect(results.length).toBe(6)
    expect(results.every((r) => r.n === 1)).toBe(true)
  })

  it('a pack of 100 agents, one batch each (a fleet at one batch a minute): ~4 table rows, ~7 billed per batch', async () => {
    const items = Array.from({ length: 100 }, (_, a) => {
      const id = a.toString(16).padStart(2, '0').repeat(32)
      const b = acceptedBatch({
        agentId: id,
        seq: 1,
        at: 1_750_000_000_000 + a,
        lat: 1,
        lon: 2,
        metrics: Array.from({ length: 8 }, (_, i) => ({ name: `m${i}`, value: i })),
        zone: 'z1',
      })
      return { b, agent: agentRecord(id) }
    })
    const w = await writeRows(env.DB, await packBundles(bundleItems(items)), new Map())
    // 3 per batch + per pack: 2 totals, 1 accept count, 100 agent counts, 1 sync row, 8 names
    expect(w.rows).toBe(300 + 2 + 1 + 100 + 1 + 8)
    expect(w.billed).toBe(600 + 2 + 1 + 100 + 1 + 8)
    // One statement per table, not per batch: 5 counters, the folds, the decisions, the rows.
    expect(w.statements).toBe(8)
  })
})

describe('writeRows: one statement per table and pack', () => {
  type Rollup = { metrics: string }
  const bucket = async () =>
    JSON.parse(
      (
        await env.DB.prepare('SELECT metrics FROM rollups WHERE agent_id = ?')
          .bind(AGENT)
          .all<Rollup>()
      ).results
        .map((r) => r.metrics)
        .join('') || 'null',
    ) as Record<string, [number, number, number, number, string | null]> | null

  it('folds the batches of one bucket in a pack one after the other', async () => {
    // Three batches within one minute: temp.c = 1, 2, 3 (seq), rh.pct = 50 each.
    const pack = await packOf(3, 1, 1000)
    const w = await writeRows(env.DB, pack, new Map())
    expect(w.statements).toBe(8)
    const { results } = await env.DB.prepare('SELECT count(*) AS n FROM rollups').all<{
      n: number
    }>()
    expect(results[0]!.n).toBe(1)
    const m = await bucket()
    expect(m!['temp.c']!.slice(0, 4)).toEqual([3, 6, 1, 3])
    expect(m!['rh.pct']!.slice(0, 4)).toEqual([3, 150, 50, 50])
  })

  it('an overlapping redelivery folds only the batches not stored yet into a shared bucket', async () => {
    await writeRows(env.DB, await packOf(2, 1, 1000), new Map())
    // seq 2 again (stored) and seq 3 (new), same minute: the bucket counts 3, not 4.
    const w = await writeRows(env.DB, await packOf(2, 2, 1000), new Map())
    // seq 3's fold (an update), decision and row; the counters less the two metric names, which
    // were already seen in this minute.
    expect(w.rows).toBe(3 * 1 + 5)
    const m = await bucket()
    expect(m!['temp.c']!.slice(0, 4)).toEqual([3, 6, 1, 3])
  })

  it('stores each column as the per-batch statements did', async () => {
    const agent = agentRecord(AGENT)
    const b = {
      ...acceptedBatch({
        agentId: AGENT,
        seq: 7,
        at: 1_750_000_000_000,
        lat: 48.137,
        lon: 11.575,
        metrics: [{ name: 'temp.c', value: 21.5, unit: 'Cel' }],
        zone: '',
      }),
      zone: null,
      verdict: 'accept-audit' as const,
      findings: ['ERR_GEO_IMPOSSIBLE_TRAVEL' as const],
      cfCountry: 'DE',
      verifyMs: 0.625,
    }
    const pack = await packBundles(bundleItems([{ b, agent }]))
    await writeRows(env.DB, pack, new Map([[b.batchId, 41]]))
    const row = await env.DB.prepare('SELECT * FROM batches WHERE batch_id = ?')
      .bind(b.batchId)
      .first<Record<string, unknown>>()
    expect(row).toMatchObject({
      agent_id: AGENT,
      seq: 7,
      accepted_at: b.acceptedAt,
      collected_at: 1_750_000_000_000,
      verdict: 'accept-audit',
      findings: '["ERR_GEO_IMPOSSIBLE_TRAVEL"]',
      zone: null,
      cf_country: 'DE',
      lat: 48.137,
      lon: 11.575,
      accuracy_m: 5,
      metric_count: 1,
      evidence_key: pack.key,
      bundle_sha256: pack.entries[0]!.sha256,
      log_index: 41,
      bundle_offset: pack.entries[0]!.offset,
      bundle_length: pack.entries[0]!.length,
      jurisdiction: null,
    })
    const d = await env.DB.prepare('SELECT * FROM decisions WHERE batch_id = ?')
      .bind(b.batchId)
      .first<Record<string, unknown>>()
    expect(d).toMatchObject({
      at: b.acceptedAt,
      kind: 'batch',
      agent_id: AGENT,
      verdict: 'accept-audit',
      code: 'ERR_GEO_IMPOSSIBLE_TRAVEL',
      zone: null,
      cf_country: 'DE',
      verify_ms: 0.625,
    })
    expect(JSON.parse(d!.detail as string)).toEqual({ findings: ['ERR_GEO_IMPOSSIBLE_TRAVEL'] })
    const r = await env.DB.prepare('SELECT minute, zone, metrics FROM rollups').first<{
      minute: number
      zone: string
      metrics: string
    }>()
    expect(r).toEqual({
      minute: Math.floor(1_750_000_000_000 / 60_000),
      zone: '',
      metrics: JSON.stringify({ 'temp.c': [1, 21.5, 21.5, 21.5, 'Cel'] }),
    })
  })

  it('stores a batch repeated in a pack once', async () => {
    const pack = await packOf(2)
    const twice = { ...pack, entries: [...pack.entries, pack.entries[0]!] }
    const w = await writeRows(env.DB, twice, new Map())
    expect(w.rows).toBe(3 * 2 + 7)
    const n = await env.DB.prepare('SELECT count(*) AS n FROM decisions').first<{ n: number }>()
    expect(n!.n).toBe(2)
  })
})
