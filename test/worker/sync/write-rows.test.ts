/**
 * What storing a pack writes to D1 (worker/sync/write-rows.ts), as D1 bills it: per batch one
 * rollup fold, one accept decision and one batch row (3 table rows), and `rows_written` with their
 * index entries (6 since migration 0008). The bounds are exact, so an index or a row added to the hot path shows here;
 * the query plans check that every index on `decisions` is one a query uses.
 */
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { acceptedBatch } from '../helpers/ledger-records.ts'
import { resetState } from '../helpers/reset.ts'
import { agentRecord } from '../helpers/ledger-records.ts'
import { buildBundle, packBundles } from '../../../worker/sync/pack-bundles.ts'
import { serializeBundle } from '../../../attest/bundle/serialize-bundle.ts'
import { writeRows } from '../../../worker/sync/write-rows.ts'

const AGENT = 'cd'.repeat(32)

beforeEach(async () => {
  await resetState()
})

async function packOf(n: number, from = 1) {
  const agent = agentRecord(AGENT)
  const items = Array.from({ length: n }, (_, i) => {
    const b = acceptedBatch({
      agentId: AGENT,
      seq: from + i,
      at: 1_750_000_000_000 + (from + i) * 60_000,
      lat: 1,
      lon: 2,
      metrics: [
        { name: 'temp.c', value: from + i },
        { name: 'rh.pct', value: 50 },
      ],
      zone: 'z1',
    })
    return { b, ...serializeBundle(buildBundle(b, agent)) }
  })
  return packBundles(items)
}

describe('writeRows: D1 rows per stored batch', () => {
  it('3 table rows and 6 billed rows per batch; a replay writes no table row', async () => {
    const pack = await packOf(10)
    const indices = new Map(pack.entries.map((e, i) => [e.b.batchId, i]))
    const w = await writeRows(env.DB, pack, indices)
    expect(w.rows).toBe(3 * 10)
    // rollup row; decision row + decisions_agent_at, decisions_at; batch row (WITHOUT ROWID) +
    // (agent_id, seq): 6. Before migration 0008: 9 (sqlite_sequence, decisions_accepted_batch and
    // the batches key's own index); before 0007: 10 (decisions_code_at).
    expect(w.billed).toBe(6 * 10)
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
    expect(w.rows).toBe(3 * 2)
    const { results } = await env.DB.prepare(
      'SELECT batch_id, count(*) AS n FROM decisions GROUP BY batch_id',
    ).all<{ batch_id: string; n: number }>()
    expect(results.length).toBe(6)
    expect(results.every((r) => r.n === 1)).toBe(true)
  })

  it('every index on decisions serves a query the worker makes', async () => {
    const plan = async (sql: string, ...bind: unknown[]) =>
      (
        await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .bind(...bind)
          .all<{ detail: string }>()
      ).results
        .map((r) => r.detail)
        .join('; ')
    const used = [
      await plan(
        `SELECT id FROM decisions WHERE (?1 IS NULL OR agent_id = ?1) AND (?2 IS NULL OR code = ?2)
           AND at >= 0 AND at <= 1 ORDER BY at DESC, id DESC LIMIT 10`,
        'cd'.repeat(32),
        'ERR_NONCE_REPLAYED',
      ),
      await plan(
        `SELECT d.code FROM decisions d WHERE d.agent_id = 'x' AND d.verdict = 'reject' ORDER BY d.at DESC LIMIT 1`,
      ),
    ].join(' | ')
    const { results } = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'decisions' AND sql IS NOT NULL",
    ).all<{ name: string }>()
    const names = results.map((r) => r.name).sort()
    expect(names).toEqual(['decisions_agent_at', 'decisions_at'])
    expect(used).toContain('decisions_at')
    expect(used).toContain('decisions_agent_at')
  })
})
