/**
 * Append stored bundles to the transparency log (worker/log/ProvenanceLog), one append per shard
 * the queue batch touches (usually one): a batch goes to the shard of its acceptedAt
 * (worker/log/shards.ts), which the ledger fixed once, so a retried message picks the same shard
 * and the log's "already logged" answer (or ERR_LOG_CONFLICT) holds. A shard already closed
 * answers for what it holds and refuses the rest, which then go to the next shard, and so on up
 * to the current one. Shards close in order and never take leaves again, so a retry walks the
 * same way to the shard that took the batch first: a batch is never logged in two shards.
 * A shard's first append also lists it in the root log (once: the shard remembers it).
 * Returns batchId -> leaf index in its shard.
 */
import { AegisError } from '../../attest/errors.ts'
import { unwrap } from '../ledger/rpc-result.ts'
import { rootLog, shardLog } from '../log/log-stub.ts'
import { nextShard, shardOf, shardPeriod } from '../log/shards.ts'
import type { AppendEntry } from '../log/types.ts'

export interface LogItem extends AppendEntry {
  /** when the ledger accepted the batch (ms): picks the shard */
  acceptedAt: number
}

export async function appendToLog(env: Env, items: LogItem[]): Promise<Map<string, number>> {
  const period = shardPeriod(env)
  const byShard = new Map<string, AppendEntry[]>()
  for (const i of items) {
    const id = shardOf(i.acceptedAt, period)
    const list = byShard.get(id) ?? []
    list.push({ batchId: i.batchId, bundleSha256: i.bundleSha256 })
    byShard.set(id, list)
  }
  const out = new Map<string, number>()
  const current = shardOf(Date.now(), period)
  await Promise.all(
    [...byShard].map(async ([first, entries]) => {
      for (const [batchId, index] of await appendWalking(env, first, entries, current)) {
        out.set(batchId, index)
      }
    }),
  )
  return out
}

async function appendWalking(
  env: Env,
  first: string,
  entries: AppendEntry[],
  current: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  let shard = first
  let pending = entries
  for (;;) {
    const log = shardLog(env, shard)
    const r = unwrap(await log.appendToShard(pending))
    for (const l of r.logged) out.set(l.batchId, l.index)
    if (!r.registered && r.logged.length > 0) {
      unwrap(await rootLog(env).registerShards([shard]))
      unwrap(await log.markRegistered())
    }
    pending = r.refused
    if (pending.length === 0) return out
    // Period ids of one length sort by time; a closed current shard is a clock or config error.
    if (shard >= current) {
      throw new AegisError('ERR_LOG_SHARD_CLOSED', 'every shard up to the current one is closed', {
        detail: { shard, refused: pending.map((e) => e.batchId) },
      })
    }
    shard = nextShard(shard)
  }
}
