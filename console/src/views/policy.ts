/**
 * Policy view (operator): zones (GeoJSON), agents' zone assignments and revocation, the PCR and
 * geofence policy, measured boot, trust roots and the EK allowlist, one module per section
 * (views/policy/). Every edit goes through the operator API (worker/operator/routes.ts), which
 * validates it; a refusal is shown inline beside the form that caused it, with its code and the
 * JSON path the collector names (its `path` member).
 */
import { api } from '../api/client.ts'
import type {
  AllowlistSettings,
  FleetAgent,
  ConfigDoc,
  OperatorAgent,
  TrustSettings,
  Zone,
} from '../api/types.ts'
import { mount } from '../dom.ts'
import { loading, type View } from './common.ts'
import { measuredBootSection } from './measured-boot.ts'
import { agentsSection } from './policy/agents.ts'
import { allowlistSection, policySection, trustSection } from './policy/config-sections.ts'
import { zonesSection } from './policy/zones.ts'

export const policyView: View = async (root) => {
  mount(root, loading())
  // Loading the operator configuration first: a role without it gets the API's 403 here.
  const [policy, trust, allowlist, { zones }, { agents }, fleet] = await Promise.all([
    api<ConfigDoc<unknown>>('/v1/config/policy'),
    api<ConfigDoc<TrustSettings>>('/v1/config/trust'),
    api<ConfigDoc<AllowlistSettings>>('/v1/config/allowlist'),
    api<{ zones: Zone[] }>('/v1/zones'),
    api<{ agents: OperatorAgent[] }>('/v1/agents?limit=1000'),
    api<{ agents: FleetAgent[] }>('/v1/fleet'),
  ])
  mount(
    root,
    zonesSection(zones),
    agentsSection(agents, fleet.agents),
    policySection(policy),
    measuredBootSection(policy, agents),
    trustSection(trust),
    allowlistSection(allowlist),
  )
}
