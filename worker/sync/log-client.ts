/**
 * Typed access to the transparency log Durable Object (worker/log/provenance-log.ts), one global
 * instance named 'main'. The interface states the RPC contract plainly (see ledger-stub.ts for why).
 */
import type { RpcResult } from '../ledger/rpc-result.ts'

export interface ProvenanceLogApi {
  append(entries: { batchId: string; bundleSha256: string }[]): Promise<RpcResult<{ batchId: string; index: number }[]>>
}

export function provenanceLog(env: Env): ProvenanceLogApi {
  const ns = (env as unknown as { PROVENANCE_LOG: DurableObjectNamespace }).PROVENANCE_LOG
  return ns.get(ns.idFromName('main')) as unknown as ProvenanceLogApi
}
