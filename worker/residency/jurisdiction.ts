/**
 * An agent's jurisdiction follows from its zones (docs/sovereignty.md): every zone it is assigned
 * must carry the same one (or none). Zones of different jurisdictions would put one device's data
 * under two regimes at once, so they are refused rather than resolved by a rule.
 */
import { AegisError } from '../../attest/errors.ts'
import { JURISDICTIONS, type Jurisdiction, type Zone } from '../../attest/geofence/types.ts'

export type { Jurisdiction }
export { JURISDICTIONS }

export function isJurisdiction(v: unknown): v is Jurisdiction {
  return JURISDICTIONS.includes(v as Jurisdiction)
}

/** The one jurisdiction of these zones, null when none carries one. Unknown ids are skipped. */
export function jurisdictionOfZones(
  zoneIds: readonly string[],
  zones: ReadonlyMap<string, Zone>,
): Jurisdiction | null {
  const found = new Set(zoneIds.map((id) => zones.get(id)?.jurisdiction ?? null))
  if (found.size > 1) {
    const jurisdictions = [...found].map((j) => j ?? 'none')
    throw new AegisError(
      'ERR_RESIDENCY_MIXED',
      `zones of different jurisdictions: ${jurisdictions.join(', ')}`,
      { detail: { jurisdictions } },
    )
  }
  return [...found][0] ?? null
}
