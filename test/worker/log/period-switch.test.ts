/**
 * LOG_SHARD_PERIOD changed after batches were logged (docs/scale.md: day shards as a fleet grows):
 * provenance still finds a batch in the shard of the period it was logged under, in both
 * directions, and a lookup creates no shard object the root log does not list.
 */
import { listDurableObjectIds } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { fromHex } from '../../../attest/bytes/encoding.ts'
import { leafHash } from '../../../attest/merkle/hash.ts'
import { toHex } from '../../../attest/bytes/encoding.ts'
import { findInShards } from '../../../worker/log/find-shard.ts'
import { codeAsync } from '../../helpers/error-code.ts'
import { appendToLog } from '../../../worker/sync/append-to-log.ts'
import { entry } from './helpers.ts'

const at = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d, 12)
const DAY = 86_400_000
const monthly = env
const daily = { ...env, LOG_SHARD_PERIOD: 'day' } as Env

async function objectExists(name: string): Promise<boolean> {
  const id = env.PROVENANCE_LOG.idFromName(name).toString()
  return (await listDurableObjectIds(env.PROVENANCE_LOG)).some((x) => x.toString() === id)
}

describe('a changed LOG_SHARD_PERIOD', () => {
  it('finds a batch logged in a month shard once the period is day', async () => {
    const x = { ...entry('switch-m', 0), acceptedAt: at(2031, 3, 10) }
    const logged = await appendToLog(monthly, [x])
    const found = await findInShards(daily, x.batchId, x.acceptedAt, x.acceptedAt + DAY)
    expect(found.shard).toBe('2031-03')
    expect(found.proof.inclusion.index).toBe(logged.get(x.batchId))
    expect(found.proof.inclusion.leafHash).toBe(toHex(leafHash(fromHex(x.bundleSha256))))
    expect(found.proof.sth.log).toBe('2031-03')
  })

  it('finds a batch logged in a day shard once the period is month', async () => {
    const y = { ...entry('switch-d', 0), acceptedAt: at(2031, 4, 2) }
    await appendToLog(daily, [y])
    const found = await findInShards(monthly, y.batchId, y.acceptedAt, y.acceptedAt + DAY)
    expect(found.shard).toBe('2031-04-02')
    expect(found.proof.sth.log).toBe('2031-04-02')
  })

  it('looks only into listed shards of the other period, and still refuses a batch in none', async () => {
    const z = { ...entry('switch-none', 0), acceptedAt: at(2032, 7, 5) }
    expect(
      await codeAsync(findInShards(monthly, z.batchId, z.acceptedAt, z.acceptedAt + DAY)),
    ).toBe('ERR_INTERNAL')
    // The day shard of that date was never appended to (not listed): the lookup did not create it.
    expect(await objectExists('shard:2032-07-05')).toBe(false)
    expect(await objectExists('shard:2031-04-02')).toBe(true)
  })
})
