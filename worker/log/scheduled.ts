/**
 * The cron trigger's work (wrangler.toml `[triggers] crons`): publish freshly signed tree heads
 * of the current shard and of the root log, so the latest STHs are never older than one cron
 * interval and auditors can tell a live log from a frozen one (RFC 9162 §4.10: a log signs its
 * tree heads periodically); and close the shards whose period ended more than the grace ago
 * (worker/log/shards.ts): each one's final head becomes a leaf of the root log. Closing is
 * idempotent, so a cron that fails half way is finished by the next. The legacy log 'main' is
 * closed the same way on the first run. Leaves out pushing heads anywhere: auditors pull them.
 */
import { unwrap } from '../ledger/rpc-result.ts'
import { rootLog, shardLog } from './log-stub.ts'
import {
  LEGACY_SHARD,
  rootKey,
  rootLeafData,
  shardClosable,
  shardOf,
  shardPeriod,
} from './shards.ts'
import type { SignedTreeHead } from './types.ts'

/** Publish the current shard's head (returned) and the root's, after closing what is due. */
export async function publishTreeHead(env: Env, now = Date.now()): Promise<SignedTreeHead> {
  const current = shardOf(now, shardPeriod(env))
  const root = rootLog(env)
  unwrap(await root.registerShards([LEGACY_SHARD, current]))
  await closeDueShards(env, now)
  const [sth] = await Promise.all([
    shardLog(env, current).publishTreeHead(),
    root.publishTreeHead(),
  ])
  return unwrap(sth)
}

/** Close every listed shard that is due and not yet in the root log; returns their ids. */
export async function closeDueShards(env: Env, now: number): Promise<string[]> {
  const root = rootLog(env)
  const due = unwrap(await root.listShards()).filter(
    (s) => s.rootIndex === null && shardClosable(s.id, now),
  )
  const closed: string[] = []
  for (const { id } of due) {
    const fin = unwrap(await shardLog(env, id).close())
    unwrap(await root.append([{ batchId: rootKey(id), bundleSha256: rootLeafData(fin.signature) }]))
    closed.push(id)
  }
  return closed
}
