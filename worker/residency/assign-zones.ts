/**
 * Residency side of PUT /v1/agents/{id}/zones: the agent's jurisdiction follows from its zones
 * (jurisdiction.ts). Zones that keep it where it is need nothing more. Zones in another
 * jurisdiction need the operator to say so (`"move": true`, else ERR_RESIDENCY_MOVE_REQUIRED),
 * and an operator scoped to jurisdictions must hold both ends. The move itself: move-agent.ts.
 */
import { AegisError } from '../../attest/errors.ts'
import type { Zone } from '../../attest/geofence/types.ts'
import type { Principal } from '../auth/types.ts'
import { residencyOf } from './directory.ts'
import { jurisdictionOfZones } from './jurisdiction.ts'
import { moveAgent, type MoveResult } from './move-agent.ts'
import { requireJurisdiction } from './scope.ts'

export async function residencyForZones(
  env: Env,
  agentId: string,
  zoneIds: readonly string[],
  zones: ReadonlyMap<string, Zone>,
  move: boolean,
  principal: Principal | undefined,
): Promise<MoveResult | null> {
  const to = jurisdictionOfZones(zoneIds, zones)
  const from = await residencyOf(env, agentId, true)
  requireJurisdiction(principal, from)
  requireJurisdiction(principal, to)
  if (from !== to && !move) {
    throw new AegisError(
      'ERR_RESIDENCY_MOVE_REQUIRED',
      `these zones put the agent in ${to ?? 'no jurisdiction'} (now ${from ?? 'none'}); ` +
        'repeat with "move": true to move its state there',
      { detail: { from, to } },
    )
  }
  // With move, also sweep evidence a concurrent store left behind (move-evidence.ts).
  return move ? moveAgent(env, agentId, to) : null
}
