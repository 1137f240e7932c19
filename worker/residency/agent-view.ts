/** Where an agent's data lives, for GET /v1/agents/{id} and the console (docs/sovereignty.md). */
import type { Principal } from '../auth/types.ts'
import { residencyView } from './bindings.ts'
import { residencyOf } from './directory.ts'
import { requireJurisdiction } from './scope.ts'

export async function agentResidency(env: Env, agentId: string, principal?: Principal) {
  const j = await residencyOf(env, agentId, true)
  requireJurisdiction(principal, j)
  return residencyView(env, j)
}
