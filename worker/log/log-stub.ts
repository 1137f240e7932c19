/**
 * Typed access to the provenance log. The generated stub type maps return types through RPC
 * serialisation types, which loses the RpcResult union; this interface states the contract
 * plainly (ProvenanceLog implements it, checked below). The log shards by period
 * (./shards.ts): `shardLog` opens a shard ('main' is the legacy one), `rootLog` the log of
 * closed shards' heads; tests may open others by name to start from an empty tree.
 */
import type { RpcResult } from '../ledger/rpc-result.ts'
import type { ProvenanceLog } from './provenance-log.ts'
import { LEGACY_SHARD, logObjectName, ROOT_LOG } from './shards.ts'
import type {
  AppendEntry,
  AppendResult,
  ConsistencyProofResult,
  InclusionProofResult,
  ProvenanceProof,
  ShardAppendResult,
  ShardEntry,
  ShardState,
  SignedTreeHead,
  TreeHead,
} from './types.ts'

export const LOG_NAME = LEGACY_SHARD

export interface ProvenanceLogApi {
  append(entries: AppendEntry[]): Promise<RpcResult<AppendResult[]>>
  treeHead(): Promise<RpcResult<TreeHead>>
  signedTreeHead(): Promise<RpcResult<SignedTreeHead>>
  publishTreeHead(): Promise<RpcResult<SignedTreeHead>>
  inclusionProof(
    batchIdOrIndex: string | number,
    treeSize?: number,
  ): Promise<RpcResult<InclusionProofResult>>
  consistencyProof(first: number, second: number): Promise<RpcResult<ConsistencyProofResult>>
  appendToShard(entries: AppendEntry[]): Promise<RpcResult<ShardAppendResult>>
  close(): Promise<RpcResult<SignedTreeHead>>
  shardState(): Promise<RpcResult<ShardState>>
  markRegistered(): Promise<RpcResult<boolean>>
  registerShards(ids: string[]): Promise<RpcResult<number>>
  listShards(): Promise<RpcResult<ShardEntry[]>>
  provenanceProof(batchId: string): Promise<RpcResult<ProvenanceProof>>
}

type Awaitable<T> = {
  [K in keyof T]: T[K] extends (...a: infer A) => infer R ? (...a: A) => Promise<Awaited<R>> : never
}
// Compile-time check that the class offers exactly this API (sync methods become async over RPC).
type _Check =
  Awaitable<Pick<ProvenanceLog, keyof ProvenanceLogApi>> extends ProvenanceLogApi ? true : never
export const _implements: _Check = true

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
