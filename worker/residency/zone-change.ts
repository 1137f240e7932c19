/**
 * Residency side of PUT /v1/zones/{id}: a zone's jurisdiction decides where its agents' ledgers
 * and evidence live, so changing it while agents are in the zone would leave their data in the
 * old jurisdiction under a zone that claims the new one. Refused (ERR_RESIDENCY_MOVE_REQUIRED)
 * until the operator has re-zoned those agents with an explicit move (PUT /v1/agents/{id}/zones
 * with "move": true); a zone nobody uses changes freely.
 */
import { AegisError } from '../../attest/errors.ts'
import type { Zone } from '../../attest/geofence/types.ts'
import { agentsInZone, zoneJurisdiction } from '../store/zones.ts'

export async function checkZoneJurisdictionChange(env: Env, zone: Zone): Promise<void> {
  const before = await zoneJurisdiction(env.DB, zone.id)
  const to = zone.jurisdiction ?? null
  if (before === undefined || before === to) return
  const agents = await agentsInZone(env.DB, zone.id)
  if (agents === 0) return
  throw new AegisError(
    'ERR_RESIDENCY_MOVE_REQUIRED',
    `zone ${zone.id} holds ${agents} agent(s) in ${before ?? 'no jurisdiction'}; move them ` +
      `(PUT /v1/agents/{id}/zones with "move": true) before changing its jurisdiction to ${to ?? 'none'}`,
    { detail: { zone: zone.id, from: before, to, agents } },
  )
}
