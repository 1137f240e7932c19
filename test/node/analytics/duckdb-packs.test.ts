// docs/scale.md "Raw points for analysts": the DuckDB query printed there, run as printed by
// DuckDB (@duckdb/node-api) over evidence packs made by the collector's own code (buildBundle,
// serializeBundle, packBundles) and laid out under their R2 keys, must return every metric point
// of every batch once, with its agent, zone and collection time. If the pack format, the key
// layout or the payload encoding changes, the documented query breaks here first.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, describe, expect, it } from 'vitest'
import { serializeBundle } from '../../../attest/bundle/serialize-bundle.ts'
import { buildBundle, packBundles } from '../../../worker/sync/pack-bundles.ts'
import { acceptedBatch, agentRecord } from '../../worker/helpers/ledger-records.ts'

const DAY = Date.UTC(2026, 11, 4)
const dir = mkdtempSync(path.join(tmpdir(), 'aegis-duckdb-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The SQL block under "Raw points for analysts" in docs/scale.md, verbatim. */
function documentedQuery(): string {
  const doc = readFileSync(new URL('../../../docs/scale.md', import.meta.url), 'utf8')
  const section = doc.slice(doc.indexOf('## Raw points for analysts'))
  const m = /```sql\n([\s\S]*?)```/.exec(section)
  if (!m) throw new Error('docs/scale.md has no SQL block under "Raw points for analysts"')
  return m[1]!
}

/** Two packs on two days, three agents, a unit on some metrics, as the consumer writes them. */
async function writePacks() {
  const expected: [string, string, string, number, string, number][] = []
  const agents = ['a1', 'b2', 'c3'].map((s) => s.repeat(32))
  for (const [d, dayMs] of [DAY, DAY + 86_400_000].entries()) {
    const items = agents.flatMap((agentId, i) =>
      [1, 2].map((seq) => {
        const metrics = [
          { name: 'temp.c', value: 20 + i + seq / 10, unit: 'Cel' },
          { name: 'load.1m', value: seq * 0.25 + d },
        ]
        const zone = i === 2 ? 'us-z' : 'eu-z'
        const at = dayMs + 3_600_000 * (i + 1) + seq
        const b = acceptedBatch({ agentId, seq: seq + 10 * d, at, lat: 1, lon: 2, metrics, zone })
        for (const m of metrics) expected.push([b.batchId, agentId, zone, at, m.name, m.value])
        return { b, ...serializeBundle(buildBundle(b, agentRecord(agentId))) }
      }),
    )
    const pack = await packBundles(items)
    const file = path.join(dir, pack.key)
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, pack.bytes)
  }
  return expected.sort()
}

describe('raw points from evidence packs with DuckDB', () => {
  it('the documented query returns each metric point once, with agent, zone and time', async () => {
    const expected = await writePacks()
    const db = await DuckDBInstance.create(':memory:')
    const conn = await db.connect()
    // The query names packs relative to the synced prefix's parent, as after `aws s3 sync`.
    await conn.run(`SET file_search_path = '${dir}'`)
    const res = await conn.runAndReadAll(documentedQuery())
    const rows = res
      .getRows()
      .map(([batchId, agentId, zone, at, metric, value]) => [
        String(batchId),
        String(agentId),
        String(zone),
        Number(at),
        String(metric),
        Number(value),
      ])
      .sort()
    expect(rows).toHaveLength(24)
    expect(rows).toEqual(expected)
    conn.closeSync()
  })
})
