/**
 * What storing a pack writes to D1 (worker/sync/write-rows.ts), as D1 bills it: per batch one
 * rollup fold, one accept decision and one batch row (3 table rows), and `rows_written` with their
 * index entries. The bounds are exact, so an index or a row added to the hot path shows here;
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
        { name: 'temp.c', value: i },
        { name: 'rh.pct', value: 50 },
      ],
      zone: 'z1',
    })
    return { b, ...serializeBundle(buildBundle(b, agent)) }
  })
  return packBundles(items)
}

describe('writeRows: D1 rows per stored batch', () => {
  it('3 table rows and 9 billed rows per batch; a replay writes no table row', async () => {
    const pack = await packOf(10)
    const indices = new Map(pack.entries.map((e, i) => [e.b.batchId, i]))
    const w = await writeRows(env.DB, pack, indices)
    expect(w.rows).toBe(3 * 10)
    // rollup row, decision row + decisions_agent_at, decisions_at, decisions_accepted_batch,
    // batch row + its primary key and (agent_id, seq) indexes: 9 (10 with decisions_code_at)
    expect(w.billed).toBe(9 * 10)
    const again = await writeRows(env.DB, pack, indices)
    expect(again.rows).toBe(0)
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
    // decisions_accepted_batch is the unique constraint that makes a replayed accept a no-op
    expect(names).toEqual(['decisions_accepted_batch', 'decisions_agent_at', 'decisions_at'])
    expect(used).toContain('decisions_at')
    expect(used).toContain('decisions_agent_at')
  })
})
