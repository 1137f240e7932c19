/**
 * Per-isolate cache of agent records with the AK already parsed, so a steady stream of batches
 * costs one RPC (the ledger's admit step), not two. Loss-tolerant and short-lived: the ledger
 * re-checks status and AK on every admit, so a stale entry can never admit a revoked agent.
 * A miss asks D1 first whether the agent is enrolled: an unknown agentId costs that one read and
 * never instantiates (and persists) an AgentLedger.
 */
import { fromB64url } from '../../attest/bytes/encoding.ts'
import { AegisError } from '../../attest/errors.ts'
import { parseTpmtPublic } from '../../attest/tpm/public.ts'
import type { TpmPublic } from '../../attest/tpm/types.ts'
import { BoundedCache } from '../auth/bounded-cache.ts'
import { agentStatus } from '../store/agents.ts'
import { agentLedger } from '../ledger/ledger-stub.ts'
import type { AgentRecord } from '../ledger/types.ts'

const TTL_MS = 30_000
export interface CachedAgent {
  record: AgentRecord
  ak: TpmPublic
  at: number
  /** True when this answer came from the cache rather than a fresh ledger read. */
  cached: boolean
}
const cache = new BoundedCache<CachedAgent>(10_000)

export async function loadAgent(env: Env, agentId: string): Promise<CachedAgent> {
  const hit = cache.get(agentId)
  if (hit && Date.now() - hit.at < TTL_MS) return { ...hit, cached: true }
  if ((await agentStatus(env.DB, agentId)) === null)
    throw new AegisError('ERR_AGENT_UNKNOWN', 'agent is not enrolled')
  const record = await agentLedger(env, agentId).getAgent()
  if (!record) throw new AegisError('ERR_AGENT_UNKNOWN', 'agent is not enrolled')
  const entry = {
    record,
    ak: parseTpmtPublic(fromB64url(record.akPublic)),
    at: Date.now(),
    cached: false,
  }
  cache.set(agentId, entry)
  return entry
}

export function forgetAgent(agentId: string): void {
  cache.delete(agentId)
}
