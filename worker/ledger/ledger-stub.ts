/**
 * Typed access to an agent's ledger. The generated stub type maps return types through Rpc
 * serialisation types, which loses the RpcResult union; this interface states the contract
 * plainly (AgentLedger implements it, checked below).
 */
import type { Jurisdiction } from '../residency/jurisdiction.ts'
import type { LedgerRows } from '../residency/ledger-transfer.ts'
import { routedLedger } from '../residency/routed-ledger.ts'
import type { AgentLedger } from './agent-ledger.ts'
import type { RpcResult } from './rpc-result.ts'
import type {
  AcceptedBatch,
  AdmitRequest,
  AdmitResult,
  AgentRecord,
  HexPcrs,
  OpenedChallenge,
  ReplayState,
} from './types.ts'

export interface AgentLedgerApi {
  getAgent(): Promise<AgentRecord | null>
  getReplayState(): Promise<ReplayState>
  activate(
    challenge: OpenedChallenge,
    pcrBaseline: HexPcrs,
    binding: string,
  ): Promise<RpcResult<AgentRecord>>
  revoke(reason: string): Promise<RpcResult<AgentRecord>>
  setZones(zones: string[]): Promise<RpcResult<AgentRecord>>
  admitBatch(req: AdmitRequest): Promise<RpcResult<AdmitResult>>
  getOutbox(batchIds: string[]): Promise<AcceptedBatch[]>
  readOutbox(batchIds: string[]): Promise<{ agent: AgentRecord | null; records: AcceptedBatch[] }>
  ackOutbox(batchIds: string[]): Promise<void>
  outboxDepth(): Promise<number>
  freezeForMove(to: Jurisdiction | 'none'): Promise<LedgerRows | null>
  importMoved(rows: LedgerRows): Promise<void>
  clearAfterMove(to: Jurisdiction | 'none'): Promise<void>
}

type Awaitable<T> = {
  [K in keyof T]: T[K] extends (...a: infer A) => infer R ? (...a: A) => R | Awaited<R> : never
}
// Compile-time check that the class really offers this API (sync methods become async over RPC).
type _Check =
  Awaitable<Pick<AgentLedger, keyof AgentLedgerApi>> extends Record<keyof AgentLedgerApi, unknown>
    ? true
    : never
export const _implements: _Check = true

/** The agent's ledger, in its jurisdiction's namespace (worker/residency, docs/sovereignty.md). */
export function agentLedger(env: Env, agentId: string): AgentLedgerApi {
  return routedLedger(env, agentId)
}
