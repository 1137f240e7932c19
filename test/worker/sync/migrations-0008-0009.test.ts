/**
 * Migration 0008 (fewer billed rows per batch, docs/scale.md) rebuilds `decisions` without
 * AUTOINCREMENT and `batches` WITHOUT ROWID. On a database built by 0001-0007 with rows in both
 * tables, applying it must keep every row (decision ids included), leave the new schema, and keep
 * ids ascending for new decisions. Migration 0009 (bounded reads) must then seed its counters
 * from the rows already there.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

interface Migration {
  name: string
  queries: string[]
}
const migrations = (env as unknown as { TEST_MIGRATIONS: Migration[] }).TEST_MIGRATIONS

async function run(m: Migration) {
  await env.DB.batch(m.queries.map((q) => env.DB.prepare(q)))
}

async function schemaOf(name: string): Promise<string> {
  const r = await env.DB.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
    .bind(name)
    .first<{ sql: string }>()
  return r?.sql ?? ''
}

async function indexesOf(table: string): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
  )
    .bind(table)
    .all<{ name: string }>()
  return results.map((r) => r.name)
}

describe('migrations 0008 and 0009', () => {
  it('keeps decisions (ids included) and batches across the rebuild', async () => {
    // Start over from an empty schema (this file's storage is its own) and stop before 0008.
    const { results } = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'",
    ).all<{ name: string }>()
    await env.DB.batch(results.map((r) => env.DB.prepare(`DROP TABLE ${r.name}`)))
    const before = migrations.filter((m) => m.name < '0008')
    const m0008 = migrations.find((m) => m.name.startsWith('0008'))
    expect(before.length).toBe(7)
    expect(m0008).toBeDefined()
    for (const m of before) await run(m)
    expect(await schemaOf('decisions')).toContain('AUTOINCREMENT')

    const decision = (at: number, verdict: string, batchId: string | null) =>
      env.DB.prepare(
        `INSERT INTO decisions (at, kind, agent_id, batch_id, verdict, code) VALUES (?, 'batch', 'a1', ?, ?, ?)`,
      ).bind(at, batchId, verdict, verdict === 'reject' ? 'ERR_NONCE_REPLAYED' : null)
    await env.DB.batch([
      decision(1000, 'accept', 'b1'),
      decision(2000, 'reject', null),
      decision(3000, 'accept', 'b2'),
    ])
    // A gap in the ids, as retention or a failed insert leaves them: kept as they are.
    await env.DB.prepare('DELETE FROM decisions WHERE at = 2000').run()
    const batch = (id: string, seq: number, offset: number | null) =>
      env.DB.prepare(
        `INSERT INTO batches (batch_id, agent_id, seq, accepted_at, collected_at, stored_at, verdict,
           findings, zone, cf_country, lat, lon, accuracy_m, metric_count, evidence_key, bundle_sha256,
           log_index, bundle_offset, bundle_length, jurisdiction)
         VALUES (?, 'a1', ?, 1, 2, 3, 'accept', '[]', 'z1', 'DE', 48.1, 11.5, 10, 8, 'k', 'h', 7, ?, ?, 'eu')`,
      ).bind(id, seq, offset, offset === null ? null : 100)
    await env.DB.batch([batch('b1', 1, null), batch('b2', 2, 0)])
    const oldDecisions = (await env.DB.prepare('SELECT * FROM decisions ORDER BY id').all()).results
    const oldBatches = (await env.DB.prepare('SELECT * FROM batches ORDER BY batch_id').all())
      .results

    await run(m0008!)

    expect((await env.DB.prepare('SELECT * FROM decisions ORDER BY id').all()).results).toEqual(
      oldDecisions,
    )
    expect(oldDecisions.map((d) => d.id)).toEqual([1, 3])
    expect((await env.DB.prepare('SELECT * FROM batches ORDER BY batch_id').all()).results).toEqual(
      oldBatches,
    )
    expect(await schemaOf('decisions')).not.toContain('AUTOINCREMENT')
    expect(await schemaOf('batches')).toContain('WITHOUT ROWID')
    expect(await indexesOf('decisions')).toEqual(['decisions_agent_at', 'decisions_at'])
    expect(await indexesOf('batches')).toEqual(['batches_agent_seq'])
    // New decisions continue above the highest id.
    await decision(4000, 'reject', null).run()
    const last = await env.DB.prepare('SELECT max(id) AS id FROM decisions').first<{ id: number }>()
    expect(last?.id).toBe(4)

    await run(migrations.find((m) => m.name.startsWith('0009'))!)
    const rows = async (sql: string) => (await env.DB.prepare(sql).all()).results
    expect(await rows('SELECT name, n FROM totals ORDER BY name')).toEqual([
      { name: 'batches_stored', n: 2 },
      { name: 'points_stored', n: 16 },
    ])
    expect(
      await rows('SELECT kind, verdict, code, n FROM decision_totals ORDER BY verdict'),
    ).toEqual([
      { kind: 'batch', verdict: 'accept', code: '', n: 2 },
      { kind: 'batch', verdict: 'reject', code: 'ERR_NONCE_REPLAYED', n: 1 },
    ])
    expect(await rows('SELECT agent_id, batches FROM agent_totals')).toEqual([
      { agent_id: 'a1', batches: 2 },
    ])
  })
})
