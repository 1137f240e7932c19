/**
 * Temporal shards of the transparency log (docs/scale.md "Sharding the transparency log"), as
 * Certificate Transparency logs shard by time. A batch is logged in the shard of the UTC period
 * (LOG_SHARD_PERIOD: 'month', the default, or 'day') of its acceptedAt: the ledger fixes
 * acceptedAt once, so every retry of the consumer picks the same shard. Each shard is its own
 * ProvenanceLog object ('shard:2026-12'), and its signed tree heads name it (`log: '2026-12'`).
 * SHARD_GRACE_MS after its period ends the cron closes a shard: its final signed tree head
 * becomes a leaf of the root log (object 'root'). A batch that reaches a closed shard (stuck in
 * an outbox past the grace) goes to the next shard that takes it (worker/sync/append-to-log.ts).
 * 'main', the log before shards, is the legacy shard: it takes no new batches, keeps answering
 * for what it holds and is closed into the root log like the others.
 */
import { sha256 } from '../../attest/crypto/hash.ts'
import { toHex, utf8 } from '../../attest/bytes/encoding.ts'
import { AegisError } from '../../attest/errors.ts'

export type ShardPeriod = 'month' | 'day'

export const LEGACY_SHARD = 'main'
export const ROOT_LOG = 'root'

/** How long after its period ends a shard still takes batches (outboxes re-announce in minutes). */
export const SHARD_GRACE_MS: Record<ShardPeriod, number> = {
  month: 24 * 3600_000,
  day: 3600_000,
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/
const DAY = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/

export function shardPeriod(env: unknown): ShardPeriod {
  const v = (env as { LOG_SHARD_PERIOD?: string }).LOG_SHARD_PERIOD
  if (v === undefined || v === '' || v === 'month') return 'month'
  if (v === 'day') return 'day'
  throw new AegisError('ERR_INTERNAL', `LOG_SHARD_PERIOD must be month or day, not '${v}'`)
}

/** The shard of an instant: 'YYYY-MM' or 'YYYY-MM-DD' in UTC. */
export function shardOf(ms: number, period: ShardPeriod): string {
  const iso = new Date(ms).toISOString()
  return period === 'month' ? iso.slice(0, 7) : iso.slice(0, 10)
}

/** A period shard's id (not 'main' or 'root'), checked: the calendar date must exist. */
export function isPeriodShard(id: string): boolean {
  if (MONTH.test(id)) return true
  if (!DAY.test(id)) return false
  return new Date(`${id}T00:00:00Z`).toISOString().slice(0, 10) === id
}

export function isShardId(id: string): boolean {
  return id === LEGACY_SHARD || isPeriodShard(id)
}

export function periodOf(id: string): ShardPeriod {
  return MONTH.test(id) ? 'month' : 'day'
}

/** When the shard's period ends (ms): the start of the next one. 'main' ended when shards began. */
export function shardEnd(id: string): number {
  if (id === LEGACY_SHARD) return 0
  const [y, m, d] = id.split('-').map(Number) as [number, number, number?]
  return d === undefined ? Date.UTC(y, m, 1) : Date.UTC(y, m - 1, d + 1)
}

export function nextShard(id: string): string {
  return shardOf(shardEnd(id), periodOf(id))
}

/** Whether the cron may close the shard now. */
export function shardClosable(id: string, now: number): boolean {
  const grace = id === LEGACY_SHARD ? 0 : SHARD_GRACE_MS[periodOf(id)]
  return shardEnd(id) + grace <= now
}

/** The Durable Object name of a shard or of the root log. */
export function logObjectName(id: string): string {
  return id === LEGACY_SHARD || id === ROOT_LOG ? id : `shard:${id}`
}

/** What a log's signed tree heads name it by: none for 'main' (unchanged since before shards). */
export function logLabel(objectName: string | undefined): string | undefined {
  if (objectName === ROOT_LOG) return ROOT_LOG
  return objectName?.startsWith('shard:') ? objectName.slice(6) : undefined
}

/** The root log's key for a shard's head (the leaf table is keyed by a 64-hex id). */
export function rootKey(shard: string): string {
  return toHex(sha256(utf8(`aegis-log-shard:${shard}`)))
}

/** The root log's leaf data for a shard: the SHA-256 of its final tree head's JWS. */
export function rootLeafData(finalSthJws: string): string {
  return toHex(sha256(utf8(finalSthJws)))
}
