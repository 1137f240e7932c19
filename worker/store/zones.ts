/**
 * D1 `zones` (migrations/0001_init.sql, 0006_residency.sql): geofence zones as GeoJSON with their
 * countries and jurisdiction. Read
 * through the config cache (config/settings-store.ts), written by the operator routes.
 */
import type { Zone } from '../config/types.ts'

export interface ZoneRaw {
  zone_id: string
  name: string
  geometry: string
  countries: string
  jurisdiction: Zone['jurisdiction'] | null
}

/** Every zone; map its results with toZone. */
export function selectZones(db: D1Database): D1PreparedStatement {
  return db.prepare('SELECT zone_id, name, geometry, countries, jurisdiction FROM zones')
}

/**
 * What changes whenever any zone does, without reading a geometry: the number of zones and the
 * latest updated_at (from the zones_updated index, migration 0010). upsertZone keeps updated_at
 * strictly increasing, so every insert or update raises the latest, and a delete lowers the count.
 */
export function selectZonesFingerprint(db: D1Database): D1PreparedStatement {
  return db.prepare(
    "SELECT count(*) || ':' || coalesce(max(updated_at), 0) AS fingerprint FROM zones",
  )
}

/** `geometry`: the parsed form of `r.geometry` when the caller already has it (kept objects). */
export function toZone(r: ZoneRaw, geometry?: Zone['geometry']): Zone {
  return {
    id: r.zone_id,
    name: r.name,
    geometry: geometry ?? (JSON.parse(r.geometry) as Zone['geometry']),
    countries: JSON.parse(r.countries),
    ...(r.jurisdiction ? { jurisdiction: r.jurisdiction } : {}),
  }
}

export async function upsertZone(db: D1Database, zone: Zone, at: number): Promise<void> {
  await db
    .prepare(
      // updated_at strictly above every zone's (two writes in one millisecond included), so the
      // config caches' fingerprint (selectZonesFingerprint) changes with every write.
      `INSERT INTO zones (zone_id, name, geometry, countries, updated_at, jurisdiction)
       VALUES (?1, ?2, ?3, ?4, max(?5, coalesce((SELECT max(updated_at) + 1 FROM zones), 0)), ?6)
       ON CONFLICT(zone_id) DO UPDATE SET name = ?2, geometry = ?3, countries = ?4,
         updated_at = max(?5, (SELECT max(updated_at) + 1 FROM zones)), jurisdiction = ?6`,
    )
    .bind(
      zone.id,
      zone.name,
      JSON.stringify(zone.geometry),
      JSON.stringify(zone.countries ?? []),
      at,
      zone.jurisdiction ?? null,
    )
    .run()
}

/** Whether a zone was deleted. */
export async function deleteZoneRow(db: D1Database, id: string): Promise<boolean> {
  const r = await db.prepare('DELETE FROM zones WHERE zone_id = ?').bind(id).run()
  return r.meta.changes > 0
}

/**
 * How many agents a zone holds: enrolled agents with it among their zones, and agents zoned
 * before enrolling (pending_zones). Revoked agents count too: their ledger and evidence still
 * live in the zone's jurisdiction.
 */
export async function agentsInZone(db: D1Database, zoneId: string): Promise<number> {
  const row = await db
    .prepare(
      `SELECT (SELECT COUNT(*) FROM agents a, json_each(a.zones) z WHERE z.value = ?1)
            + (SELECT COUNT(*) FROM pending_zones p, json_each(p.zones) z WHERE z.value = ?1) AS n`,
    )
    .bind(zoneId)
    .first<{ n: number }>()
  return row?.n ?? 0
}

/** A stored zone's jurisdiction: undefined when there is no such zone, null for none. */
export async function zoneJurisdiction(
  db: D1Database,
  zoneId: string,
): Promise<string | null | undefined> {
  const row = await db
    .prepare('SELECT jurisdiction FROM zones WHERE zone_id = ?')
    .bind(zoneId)
    .first<{ jurisdiction: string | null }>()
  return row ? row.jurisdiction : undefined
}
