/**
 * What of a batch the central store (D1) keeps, per jurisdiction (docs/sovereignty.md): for an
 * unrestricted agent the exact location as before; for an agent in a jurisdiction only the grid
 * cell (coarsen.ts). The bundle with the exact fix stays in the jurisdiction's bucket. Labels never
 * reach D1 (rollups keep metric names and numbers only).
 */
import { evidenceBucket, gridDeg } from './bindings.ts'
import { coarsen, type CoarseLocation } from '../../attest/geofence/coarsen.ts'
import { residencyOf } from './directory.ts'
import type { Jurisdiction } from './jurisdiction.ts'

export interface CentralPlace {
  jurisdiction: Jurisdiction | null
  gridDeg: number
}

export function centralPlace(env: Env, j: Jurisdiction | null): CentralPlace {
  return { jurisdiction: j, gridDeg: gridDeg(env) }
}

export function centralLocation(
  loc: { lat: number; lon: number; accuracyM: number },
  place: CentralPlace,
): CoarseLocation {
  if (!place.jurisdiction) return { lat: loc.lat, lon: loc.lon, accuracyM: loc.accuracyM }
  return coarsen(loc.lat, loc.lon, place.gridDeg)
}

/** The jurisdiction of each agent whose outbox is being stored, from the residency directory. */
export async function jurisdictionsOf(
  env: Env,
  reads: readonly { agentId: string }[],
): Promise<Map<string, Jurisdiction | null>> {
  const js = await Promise.all(reads.map((r) => residencyOf(env, r.agentId)))
  const out = new Map(reads.map((r, i) => [r.agentId, js[i]!] as const))
  // Fail before any write if a jurisdiction's bucket is not bound (ERR_RESIDENCY_UNAVAILABLE).
  for (const j of new Set(out.values())) evidenceBucket(env, j)
  return out
}

export function groupByJurisdiction<T extends { agentId: string }>(
  reads: readonly T[],
  where: ReadonlyMap<string, Jurisdiction | null>,
): Map<Jurisdiction | null, T[]> {
  const out = new Map<Jurisdiction | null, T[]>()
  for (const r of reads) {
    const j = where.get(r.agentId) ?? null
    out.set(j, [...(out.get(j) ?? []), r])
  }
  return out
}
