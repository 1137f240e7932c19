/**
 * /metrics reports the two stores that fill up (docs/scale.md "Storage runway"): D1's size and
 * the current log shard's, each with its limit, read from the stores themselves (D1's size_after,
 * the shard object's database size), so they grow as data is stored; and a log that cannot
 * answer leaves only its own gauges out of the scrape.
 */
import { env, exports } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  DEFAULT_STORAGE_LIMIT_BYTES,
  metricsRoutes,
  storageLimit,
} from '../../../worker/dashboard/metrics.ts'
import { shardLog } from '../../../worker/log/log-stub.ts'
import { shardOf, shardPeriod } from '../../../worker/log/shards.ts'
import { roleToken } from '../helpers/auth.ts'
import { resetState } from '../helpers/reset.ts'

async function scrape(path = 'http://collector/metrics', e?: Env): Promise<string> {
  const headers = { authorization: `Bearer ${await roleToken('viewer')}` }
  const r = e
    ? await metricsRoutes.request(path, { headers }, e)
    : await exports.default.fetch(path, { headers })
  expect(r.status).toBe(200)
  return r.text()
}

/** The value of one sample, by its name and label text (`{shard="2026-12"}` or ''). */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `))
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

const shardId = () => shardOf(Date.now(), shardPeriod(env))
const hex = (i: number, salt: string) => (salt + i.toString(16)).padStart(64, '0')

describe('storage gauges on /metrics', () => {
  beforeEach(() => resetState())

  it("reports D1's size and limit, growing as rows are stored", async () => {
    const before = await scrape()
    const size0 = sample(before, 'aegis_d1_size_bytes')!
    expect(size0).toBeGreaterThan(0)
    expect(sample(before, 'aegis_d1_size_limit_bytes')).toBe(DEFAULT_STORAGE_LIMIT_BYTES)
    // ~2 MB of audit rows: the database must have grown by at least most of it.
    const detail = JSON.stringify({ pad: 'x'.repeat(2000) })
    for (let k = 0; k < 10; k++) {
      await env.DB.batch(
        Array.from({ length: 100 }, (_, i) =>
          env.DB.prepare(
            `INSERT INTO decisions (at, kind, agent_id, verdict, code, detail)
             VALUES (?, 'batch', ?, 'reject', 'ERR_QUOTE_SIGNATURE', ?)`,
          ).bind(Date.now(), hex(k * 100 + i, 'a'), detail),
        ),
      )
    }
    const size1 = sample(await scrape(), 'aegis_d1_size_bytes')!
    expect(size1 - size0).toBeGreaterThan(1_500_000)
  })

  it("reports the current log shard's size and leaves, growing with appends", async () => {
    const id = shardId()
    const label = `{shard="${id}"}`
    const before = await scrape()
    const leaves0 = sample(before, 'aegis_log_shard_leaves', label)!
    const bytes0 = sample(before, 'aegis_log_shard_size_bytes', label)!
    expect(bytes0).toBeGreaterThan(0)
    expect(sample(before, 'aegis_log_shard_size_limit_bytes')).toBe(DEFAULT_STORAGE_LIMIT_BYTES)
    const log = shardLog(env, id)
    for (let k = 0; k < 4; k++) {
      const r = await log.appendToShard(
        Array.from({ length: 500 }, (_, i) => ({
          batchId: hex(leaves0 + k * 500 + i, 'b'),
          bundleSha256: hex(leaves0 + k * 500 + i, 'c'),
        })),
      )
      expect(r.ok).toBe(true)
    }
    const after = await scrape()
    expect(sample(after, 'aegis_log_shard_leaves', label)).toBe(leaves0 + 2000)
    // 2,000 leaves: each a row with two hashes and a batch id, plus its index entry and nodes.
    expect(sample(after, 'aegis_log_shard_size_bytes', label)! - bytes0).toBeGreaterThan(200_000)
  })

  it("leaves out only the log's gauges when the log cannot answer", async () => {
    const broken = {
      idFromName: (n: string) => env.PROVENANCE_LOG.idFromName(n),
      get: () => ({
        shardState: () => Promise.reject(new Error('log unavailable (test fault)')),
      }),
    }
    const text = await scrape('http://collector/metrics', {
      ...env,
      PROVENANCE_LOG: broken,
    } as unknown as Env)
    expect(sample(text, 'aegis_d1_size_bytes')).toBeGreaterThan(0)
    expect(sample(text, 'aegis_batches_stored_total')).toBe(0)
    expect(text).not.toContain('aegis_log_shard_size_bytes{')
    expect(text).not.toContain('aegis_log_shard_leaves{')
    expect(sample(text, 'aegis_log_shard_size_limit_bytes')).toBe(DEFAULT_STORAGE_LIMIT_BYTES)
    // A LOG_SHARD_PERIOD the log refuses: the same, not a failed scrape.
    const bad = await scrape('http://collector/metrics', {
      ...env,
      LOG_SHARD_PERIOD: 'week',
    } as unknown as Env)
    expect(sample(bad, 'aegis_d1_size_bytes')).toBeGreaterThan(0)
    expect(bad).not.toContain('aegis_log_shard_leaves{')
  })

  it('takes a limit override only as a positive integer', () => {
    expect(storageLimit('500000000')).toBe(500_000_000)
    for (const bad of [undefined, '', 'x', '0', '-1', '1.5', '1e400'])
      expect(storageLimit(bad)).toBe(DEFAULT_STORAGE_LIMIT_BYTES)
  })
})
