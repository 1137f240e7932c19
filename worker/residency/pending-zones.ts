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
  await env.DB.prepare(
    `INSERT INTO pending_zones (agent_id, zones, set_at) VALUES (?1, ?2, ?3)
     ON CONFLICT(agent_id) DO UPDATE SET zones = ?2, set_at = ?3`,
  )
    .bind(agentId, JSON.stringify(zoneIds), Date.now())
    .run()
  await setResidency(env, agentId, jurisdiction)
  return { agentId, zones: zoneIds, pending: true, jurisdiction }
}

/** After an activation: apply zones assigned before enrollment, if any. */
export async function withPendingZones(env: Env, rec: AgentRecord): Promise<AgentRecord> {
  const row = await env.DB.prepare('SELECT zones FROM pending_zones WHERE agent_id = ?')
    .bind(rec.agentId)
    .first<{ zones: string }>()
  if (!row) return rec
  const next = unwrap(await agentLedger(env, rec.agentId).setZones(JSON.parse(row.zones)))
  await env.DB.prepare('DELETE FROM pending_zones WHERE agent_id = ?').bind(rec.agentId).run()
  return next
}
