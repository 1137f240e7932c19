/**
 * Zoning an agent before it enrolls (docs/sovereignty.md): the operator names the agent by its
 * agentId (SHA-256 of its EK public key, known from the purchase order or the EK allowlist). Its
 * jurisdiction goes into the residency directory at once, so the activation (which reaches the
 * ledger through the directory) creates the ledger in that jurisdiction from the start; the zones
 * wait in D1 `pending_zones` and are applied right after the activation commits.
 */
import type { Zone } from '../../attest/geofence/types.ts'
import type { Principal } from '../auth/types.ts'
import { agentLedger } from '../ledger/ledger-stub.ts'
import { unwrap } from '../ledger/rpc-result.ts'
import type { AgentRecord } from '../ledger/types.ts'
import { deletePendingZones, readPendingZones, upsertPendingZones } from '../store/residency.ts'
import { setResidency } from './directory.ts'
import { jurisdictionOfZones } from './jurisdiction.ts'
import { requireJurisdiction } from './scope.ts'

export async function preassignZones(
  env: Env,
  agentId: string,
  zoneIds: string[],
  zones: ReadonlyMap<string, Zone>,
  principal: Principal | undefined,
) {
  const jurisdiction = jurisdictionOfZones(zoneIds, zones)
  requireJurisdiction(principal, jurisdiction)
  await upsertPendingZones(env.DB, agentId, zoneIds, Date.now())
  await setResidency(env, agentId, jurisdiction)
  return { agentId, zones: zoneIds, pending: true, jurisdiction }
}

/** After an activation: apply zones assigned before enrollment, if any. */
export async function withPendingZones(env: Env, rec: AgentRecord): Promise<AgentRecord> {
  const pending = await readPendingZones(env.DB, rec.agentId)
  if (!pending) return rec
  const next = unwrap(await agentLedger(env, rec.agentId).setZones(pending))
  await deletePendingZones(env.DB, rec.agentId)
  return next
}
