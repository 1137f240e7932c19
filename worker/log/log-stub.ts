/**
 * Typed access to the provenance log. The generated stub type maps return types through RPC
 * serialisation types, which loses the RpcResult union; this interface states the contract
 * plainly (ProvenanceLog implements it, checked below). There is one log, named 'main'; tests may
 * open others by name to start from an empty tree.
 */
import type { RpcResult } from '../ledger/rpc-result.ts'
import type { ProvenanceLog } from './provenance-log.ts'
import type {
  AppendEntry,
  AppendResult,
  ConsistencyProofResult,
  InclusionProofResult,
  SignedTreeHead,
  TreeHead,
} from './types.ts'

export const LOG_NAME = 'main'

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
