/**
 * Which log shard holds a stored batch, for GET /v1/provenance: the walk worker/sync/append-to-log.ts
 * made (the shard of the batch's acceptedAt, then later ones while closed), else the legacy log.
 * LOG_SHARD_PERIOD may have changed since the batch was logged (docs/scale.md recommends day shards
 * as a fleet grows): when the configured period's walk does not find it, the walk runs again over
 * the other period's shards, but only those the root log lists (a shard is listed on its first
 * append), so a lookup never creates an empty shard object.
 */
import { AegisError } from '../../attest/errors.ts'
import { unwrap } from '../ledger/rpc-result.ts'
import { rootLog, shardLog } from './log-stub.ts'
import {
  LEGACY_SHARD,
  nextShard,
  periodOf,
  shardOf,
  shardPeriod,
  type ShardPeriod,
} from './shards.ts'
import type { ProvenanceProof } from './types.ts'

export interface FoundShard {
  shard: string
  proof: ProvenanceProof
}

export async function findInShards(
  env: Env,
  batchId: string,
  acceptedAt: number,
  now = Date.now(),
): Promise<FoundShard> {
  const period = shardPeriod(env)
  const found = await walk(env, batchId, acceptedAt, period, now)
  if (found) return found
  const other: ShardPeriod = period === 'month' ? 'day' : 'month'
  const listed = new Set(
    unwrap(await rootLog(env).listShards())
      .map((s) => s.id)
      .filter((id) => id !== LEGACY_SHARD && periodOf(id) === other),
  )
  if (listed.size > 0) {
    const again = await walk(env, batchId, acceptedAt, other, now, listed)
    if (again) return again
  }
  const legacy = await shardLog(env, LEGACY_SHARD).provenanceProof(batchId)
  if (legacy.ok) return { shard: LEGACY_SHARD, proof: legacy.value }
  throw new AegisError('ERR_INTERNAL', 'the stored batch is in no log shard', {
    detail: { batchId },
  })
}

/** From the shard of acceptedAt on, while closed, up to the current one (`only`: listed ones). */
async function walk(
  env: Env,
  batchId: string,
  acceptedAt: number,
  period: ShardPeriod,
  now: number,
  only?: ReadonlySet<string>,
): Promise<FoundShard | null> {
  const current = shardOf(now, period)
  let shard = Number.isFinite(acceptedAt) ? shardOf(acceptedAt, period) : current
  for (;;) {
    if (only && !only.has(shard)) return null
    const log = shardLog(env, shard)
    const r = await log.provenanceProof(batchId)
    if (r.ok) return { shard, proof: r.value }
    if (r.error.code !== 'ERR_NOT_FOUND') unwrap(r)
    const st = unwrap(await log.shardState())
    if (!st.closed || shard >= current) return null
    shard = nextShard(shard)
  }
}
