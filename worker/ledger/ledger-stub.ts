/** Typed access to an agent's ledger (AgentLedger, one Durable Object per agentId). */
import { routedLedger } from '../residency/routed-ledger.ts'
import type { AgentLedger } from './agent-ledger.ts'
import type { RpcApi } from './rpc-result.ts'

export type AgentLedgerApi = RpcApi<
  AgentLedger,
  | 'getAgent'
  | 'getReplayState'
  | 'activate'
  | 'revoke'
  | 'setZones'
  | 'admitBatch'
  | 'getOutbox'
  | 'readOutbox'
  | 'ackOutbox'
  | 'outboxDepth'
  | 'freezeForMove'
  | 'importMoved'
  | 'clearAfterMove'
  | 'moveOrigin'
  | 'moveCleared'
  | 'rowsWritten'
  | 'rowsRead'
>

/** The agent's ledger, in its jurisdiction's namespace (worker/residency, docs/sovereignty.md). */
export function agentLedger(env: Env, agentId: string): AgentLedgerApi {
  return routedLedger(env, agentId)
}
