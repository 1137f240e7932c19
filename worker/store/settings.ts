/**
 * D1 `settings` (migrations/0001_init.sql): one versioned JSON document per operator setting key.
 * config/settings-store.ts caches and validates; this module only reads and writes rows.
 */

export interface SettingRow {
  key: string
  /** JSON text */
  value: string
  version: number
}

/** Every setting, run in the config loader's D1 batch; results are SettingRow. */
export function selectSettings(db: D1Database): D1PreparedStatement {
  return db.prepare('SELECT key, value, version FROM settings')
}

export async function readSettingRow(db: D1Database, key: string): Promise<SettingRow | null> {
  return db.prepare('SELECT key, value, version FROM settings WHERE key = ?').bind(key).first()
}

/**
 * Upsert a setting, bumping its version; with `ifVersion`, only while the stored version is that
 * one. Returns the new version, or null when `ifVersion` did not match.
 */
export async function upsertSetting(
  db: D1Database,
  s: { key: string; value: string; at: number; by: string; ifVersion: number | null },
): Promise<number | null> {
  const row = await db
    .prepare(
      `INSERT INTO settings (key, value, version, updated_at, updated_by) VALUES (?1, ?2, 1, ?3, ?4)
       ON CONFLICT(key) DO UPDATE SET value = ?2, version = version + 1, updated_at = ?3, updated_by = ?4
         WHERE ?5 IS NULL OR settings.version = ?5
       RETURNING version`,
    )
    .bind(s.key, s.value, s.at, s.by, s.ifVersion)
    .first<{ version: number }>()
  return row?.version ?? null
}
