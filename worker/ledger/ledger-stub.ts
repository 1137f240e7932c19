/** Typed access to an agent's ledger (AgentLedger, one Durable Object per agentId). */
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
>

export function agentLedger(env: Env, agentId: string): AgentLedgerApi {
  return env.AGENT_LEDGER.get(env.AGENT_LEDGER.idFromName(agentId)) as unknown as AgentLedgerApi
}
