/**
 * What /metrics, the fleet views and the audit listing read must not grow with the history
 * (docs/scale.md "Reads that do not grow with the history"; D1 bills every row read). A history
 * is stored through the consumer's own writeRows, the rows each query reads are counted
 * (D1 meta.rows_read), the history is doubled, and the counts must not move. The counters those
 * routes now read must agree with counting the tables.
 */
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { insertDecisions } from '../../../worker/audit/record-decision.ts'
import { countAgentsByStatus, agentSummaries, fleetRows } from '../../../worker/store/agents.ts'
import { countDeadLetters } from '../../../worker/store/dead-letters.ts'
import { listDecisions, rejectionCounts } from '../../../worker/store/decisions.ts'
import {
  metricNames,
  readDecisionTotals,
  readTotals,
  recentSyncLag,
} from '../../../worker/store/totals.ts'
import { bundleItems, packBundles } from '../../../worker/sync/pack-bundles.ts'
import { writeRows } from '../../../worker/sync/write-rows.ts'
import { countingDb } from '../helpers/counting-db.ts'
import { acceptedBatch, agentRecord } from '../helpers/ledger-records.ts'
import { resetState } from '../helpers/reset.ts'

const A = 'a1'.repeat(32)
const B = 'b2'.repeat(32)
const T0 = Date.UTC(2026, 10, 1)
const seqs = { [A]: 0, [B]: 0 }

async function agentRow(id: string) {
  await env.DB.prepare(
    `INSERT INTO agents (agent_id, status, ek_public, ak_public, ak_name, sensor_id, sensor_firmware, zones, enrolled_at)
     VALUES (?1, 'active', 'ek', 'ak', '000b', 'gnss:1', '1.0', '["z1"]', ?2)`,
  )
    .bind(id, T0)
    .run()
}

/** `n` more batches per agent, stored as the consumer stores them: packs of 100. */
async function storeHistory(n: number) {
  const items = []
  for (const id of [A, B]) {
    const agent = agentRecord(id)
    for (let i = 0; i < n; i++) {
      const seq = ++seqs[id]!
      const b = acceptedBatch({
        agentId: id,
        seq,
        at: T0 + seq * 60_000,
        lat: 1,
        lon: 2,
        metrics: [
          { name: 'temp.c', value: seq },
          { name: 'rh.pct', value: 50 },
        ],
        zone: 'z1',
      })
      items.push({ b, agent })
    }
  }
  for (let i = 0; i < items.length; i += 100) {
    const pack = await packBundles(bundleItems(items.slice(i, i + 100)))
    await writeRows(env.DB, pack, new Map())
  }
}

/** An enrolled agent's refusal, recorded as the queue consumer records it. */
async function refusal(agentId: string, at: number) {
  await insertDecisions(env.DB, [
    {
      at,
      kind: 'batch',
      agentId,
      batchId: null,
      verdict: 'reject',
      code: 'ERR_SEQ_REPLAYED',
      zone: null,
      cfCountry: null,
      verifyMs: null,
      detail: null,
    },
  ])
}

/** Rows read by each route's queries, by name. */
async function readsOfRoutes(): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  const measure = async (name: string, f: (db: D1Database) => Promise<unknown>) => {
    const { db, ran } = countingDb(env.DB)
    await f(db)
    out[name] = ran.reduce((n, r) => n + r.rowsRead, 0)
  }
  const range = { from: 0, to: T0 + 10 ** 10, limit: 10 }
  await measure('metrics', (db) =>
    db.batch([
      readDecisionTotals(db),
      readTotals(db),
      countDeadLetters(db),
      countAgentsByStatus(db),
    ]),
  )
  await measure('fleet', (db) => fleetRows(db, 5000))
  await measure('summaries', (db) => agentSummaries(db, 5000))
  await measure('decisions.agent', (db) =>
    listDecisions(db, { agentId: B, code: null, verdict: null, ...range }),
  )
  await measure('decisions.rejects', (db) =>
    listDecisions(db, { agentId: null, code: null, verdict: 'reject', ...range }),
  )
  await measure('decisions.all', (db) =>
    listDecisions(db, { agentId: null, code: null, verdict: null, ...range }),
  )
  await measure('chart.names', (db) => metricNames(db, 0))
  await measure('rejections', (db) =>
    rejectionCounts(db, { from: 0, to: T0 + 10 ** 10, agentId: null }),
  )
  return out
}

describe('reads that do not grow with the history', () => {
  beforeEach(async () => {
    await resetState()
    seqs[A] = 0
    seqs[B] = 0
    await agentRow(A)
    await agentRow(B)
  })

  it('/metrics, the fleet views and the audit listing read as much after twice the history', async () => {
    await refusal(A, T0 + 30_000)
    await storeHistory(150)
    const before = await readsOfRoutes()
    await storeHistory(150)
    const after = await readsOfRoutes()
    expect(after).toEqual(before)
    // and little: a handful of rows per agent listed, a page of the listing
    for (const [name, n] of Object.entries(after)) expect(n, name).toBeLessThan(60)
  })

  it('the counters agree with counting the tables', async () => {
    await storeHistory(120)
    await refusal(B, T0 + 90_000)
    // a replayed store counts nothing twice
    await storeHistory(0)
    const count = async <T>(sql: string) => (await env.DB.prepare(sql).all<T>()).results
    const totals = Object.fromEntries(
      (await count<{ name: string; n: number }>('SELECT name, n FROM totals')).map((r) => [
        r.name,
        r.n,
      ]),
    )
    const [truth] = await count<{ n: number; points: number }>(
      'SELECT COUNT(*) AS n, SUM(metric_count) AS points FROM batches',
    )
    expect(totals).toEqual({ batches_stored: truth!.n, points_stored: truth!.points })
    expect(truth!.n).toBe(240)
    expect(
      await count(
        'SELECT kind, verdict, code, n FROM decision_totals ORDER BY kind, verdict, code',
      ),
    ).toEqual(
      await count(
        `SELECT kind, verdict, COALESCE(code, '') AS code, COUNT(*) AS n FROM decisions
          GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      ),
    )
    expect(await count('SELECT agent_id, batches FROM agent_totals ORDER BY agent_id')).toEqual(
      await count(
        'SELECT agent_id, COUNT(*) AS batches FROM batches GROUP BY agent_id ORDER BY agent_id',
      ),
    )
    const fleet = await fleetRows(env.DB, 10)
    expect(fleet.map((r) => [r.agentId, r.batches, r.lastBatch?.seq])).toEqual([
      [A, 120, 120],
      [B, 120, 120],
    ])
    expect(fleet.find((r) => r.agentId === B)?.lastReject).toMatch(/^ERR_SEQ_REPLAYED\|/)
    expect(await count('SELECT name, last_minute FROM metric_names ORDER BY name')).toEqual(
      ['rh.pct', 'temp.c'].map((name) => ({
        name,
        last_minute: Math.floor((T0 + 120 * 60_000) / 60_000),
      })),
    )
    expect(await metricNames(env.DB, Math.floor((T0 + 121 * 60_000) / 60_000))).toEqual([])
    const lag = await env.DB.batch([recentSyncLag(env.DB, 0)])
    expect(lag[0]!.results[0]).toMatchObject({ n: 240 })
  })

  it('each listing uses the index that serves its filter', async () => {
    const { db, ran } = countingDb(env.DB)
    const range = { from: 0, to: 1, limit: 10 }
    await listDecisions(db, { agentId: A, code: null, verdict: null, ...range })
    await listDecisions(db, { agentId: null, code: null, verdict: 'reject', ...range })
    await listDecisions(db, { agentId: null, code: null, verdict: null, ...range })
    await rejectionCounts(db, { from: 0, to: 1, agentId: null })
    await fleetRows(db, 10)
    await env.DB.batch([recentSyncLag(env.DB, 0)])
    const plans: string[] = []
    for (const r of ran) {
      const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${r.sql}`)
        .bind(...r.params)
        .all<{ detail: string }>()
      plans.push(results.map((x) => x.detail).join('; '))
    }
    expect(plans[0]).toContain('decisions_agent_at')
    expect(plans[1]).toContain('decisions_reject_at')
    expect(plans[2]).toContain('decisions_at')
    expect(plans[3]).toContain('decisions_reject_at')
    expect(plans[4]).toContain('decisions_agent_reject')
    expect(plans[4]).toContain('batches_agent_seq')
    expect(plans[4]).not.toMatch(/SCAN (b|x|y|t|batches)\b/)
    // Every index on decisions and batches is one of these queries' (each costs a row per write).
    const { results: indexes } = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('decisions', 'batches') AND sql IS NOT NULL",
    ).all<{ name: string }>()
    expect(indexes.length).toBe(5)
    for (const { name } of indexes) expect(plans.join(' | '), name).toContain(name)
    const syncPlan = (
      await env.DB.prepare(
        'EXPLAIN QUERY PLAN SELECT SUM(batches) FROM sync_packs WHERE stored_at >= 0',
      ).all<{ detail: string }>()
    ).results
      .map((x) => x.detail)
      .join('; ')
    expect(syncPlan).toContain('SEARCH sync_packs USING PRIMARY KEY')
  })
})
