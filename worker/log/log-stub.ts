/**
 * Typed access to the provenance log (ProvenanceLog Durable Objects). The log shards by period
 * (./shards.ts): `shardLog` opens a shard ('main' is the legacy one), `rootLog` the log of
 * closed shards' heads; tests may open others by name to start from an empty tree.
 */
import type { RpcApi } from '../ledger/rpc-result.ts'
import type { ProvenanceLog } from './provenance-log.ts'
import { LEGACY_SHARD, logObjectName, ROOT_LOG } from './shards.ts'

export const LOG_NAME = LEGACY_SHARD

export type ProvenanceLogApi = RpcApi<
  ProvenanceLog,
  | 'append'
  | 'treeHead'
  | 'signedTreeHead'
  | 'publishTreeHead'
  | 'inclusionProof'
  | 'consistencyProof'
  | 'appendToShard'
  | 'close'
  | 'shardState'
  | 'markRegistered'
  | 'registerShards'
  | 'listShards'
  | 'provenanceProof'
>

export function provenanceLog(env: Env, name: string = LOG_NAME): ProvenanceLogApi {
  return env.PROVENANCE_LOG.get(env.PROVENANCE_LOG.idFromName(name)) as unknown as ProvenanceLogApi
}

/** A shard of the log by its id ('2026-12', '2026-12-04', or the legacy 'main'). */
export function shardLog(env: Env, shard: string): ProvenanceLogApi {
  return provenanceLog(env, logObjectName(shard))
}

export function rootLog(env: Env): ProvenanceLogApi {
  return provenanceLog(env, ROOT_LOG)
}
