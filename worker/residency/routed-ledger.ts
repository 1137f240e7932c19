/**
 * The agent's ledger in its jurisdiction. Every method first resolves the agent's jurisdiction in
 * the residency directory (cached per isolate, directory.ts), then calls the ledger there, so the
 * callers of agentLedger() (ingest, enrollment, sync, operator) stay unaware of residency.
 */
import type { AgentLedgerApi } from '../ledger/ledger-stub.ts'
import { ledgerId } from './bindings.ts'
import { residencyOf } from './directory.ts'
import type { Jurisdiction } from './jurisdiction.ts'

export function ledgerIn(env: Env, agentId: string, j: Jurisdiction | null): AgentLedgerApi {
  return env.AGENT_LEDGER.get(ledgerId(env, agentId, j)) as unknown as AgentLedgerApi
}

export function routedLedger(env: Env, agentId: string): AgentLedgerApi {
  return new Proxy({} as AgentLedgerApi, {
    get(_t, method: string | symbol) {
      // Not a thenable: `await agentLedger(...)` must not call a ledger method named `then`.
      if (method === 'then' || typeof method === 'symbol') return undefined
      return async (...args: unknown[]) => {
        const j = await residencyOf(env, agentId)
        const stub = ledgerIn(env, agentId, j) as unknown as Record<
          string,
          (...a: unknown[]) => Promise<unknown>
        >
        return stub[method]!(...args)
      }
    },
  })
}
