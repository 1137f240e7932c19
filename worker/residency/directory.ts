/**
 * The residency directory: D1 `agent_residency`, agentId -> jurisdiction and nothing else, so the
 * worker can find where an agent's data lives without reading personal data centrally. No row:
 * the agent is unrestricted. Read through a short per-isolate cache: the hot path pays no extra
 * hop, and a move (move-agent.ts) freezes the old ledger, so a stale entry only delays a batch
 * (ERR_RESIDENCY_MOVING, retried by the agent) until the entry expires.
 */
import { BoundedCache } from '../auth/bounded-cache.ts'
import { readResidency, writeResidency } from '../store/residency.ts'
import { isJurisdiction, type Jurisdiction } from './jurisdiction.ts'

const TTL_MS = 10_000
const cache = new BoundedCache<{ j: Jurisdiction | null; at: number }>(50_000)

export async function residencyOf(
  env: { DB: D1Database },
  agentId: string,
  fresh = false,
): Promise<Jurisdiction | null> {
  const hit = fresh ? undefined : cache.get(agentId)
  if (hit && Date.now() - hit.at < TTL_MS) return hit.j
  const stored = await readResidency(env.DB, agentId)
  const j = isJurisdiction(stored) ? stored : null
  cache.set(agentId, { j, at: Date.now() })
  return j
}

export async function setResidency(
  env: { DB: D1Database },
  agentId: string,
  j: Jurisdiction | null,
): Promise<void> {
  await writeResidency(env.DB, agentId, j, Date.now())
  cache.set(agentId, { j, at: Date.now() })
}
