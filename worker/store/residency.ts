/**
 * D1 `agent_residency` and `pending_zones` (migrations/0006_residency.sql): the residency
 * directory (agentId -> jurisdiction, nothing else; no row: unrestricted) and zones assigned to an
 * agent before it enrolls. Used by worker/residency (directory.ts, pending-zones.ts).
 */

export async function readResidency(db: D1Database, agentId: string): Promise<string | null> {
  const row = await db
    .prepare('SELECT jurisdiction FROM agent_residency WHERE agent_id = ?')
    .bind(agentId)
    .first<{ jurisdiction: string }>()
  return row?.jurisdiction ?? null
}

/** Set (a jurisdiction) or clear (null: unrestricted) an agent's directory entry. */
export async function writeResidency(
  db: D1Database,
  agentId: string,
  jurisdiction: string | null,
  at: number,
): Promise<void> {
  const stmt = jurisdiction
    ? db
        .prepare(
          `INSERT INTO agent_residency (agent_id, jurisdiction, since) VALUES (?1, ?2, ?3)
           ON CONFLICT(agent_id) DO UPDATE SET jurisdiction = ?2, since = ?3`,
        )
        .bind(agentId, jurisdiction, at)
    : db.prepare('DELETE FROM agent_residency WHERE agent_id = ?').bind(agentId)
  await stmt.run()
}

export async function upsertPendingZones(
  db: D1Database,
  agentId: string,
  zones: string[],
  at: number,
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO pending_zones (agent_id, zones, set_at) VALUES (?1, ?2, ?3)
       ON CONFLICT(agent_id) DO UPDATE SET zones = ?2, set_at = ?3`,
    )
    .bind(agentId, JSON.stringify(zones), at)
    .run()
}

/** The zones waiting for an agent's activation, or null. */
export async function readPendingZones(db: D1Database, agentId: string): Promise<string[] | null> {
  const row = await db
    .prepare('SELECT zones FROM pending_zones WHERE agent_id = ?')
    .bind(agentId)
    .first<{ zones: string }>()
  return row ? (JSON.parse(row.zones) as string[]) : null
}

export async function deletePendingZones(db: D1Database, agentId: string): Promise<void> {
  await db.prepare('DELETE FROM pending_zones WHERE agent_id = ?').bind(agentId).run()
}
