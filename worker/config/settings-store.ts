/**
 * Read and write operator configuration in D1. Reads go through a per-isolate cache that lives
 * at most CACHE_MS, so a change reaches every isolate within that time without a redeploy; the
 * isolate that performed a write drops its cache at once. The cache is loss-tolerant by design.
 */
import { AegisError } from '../../attest/errors.ts'
import { DEV_POLICY, DEV_WORLD_ZONE, EMPTY_ALLOWLIST, isDevelopment } from './defaults.ts'
import type { AllowlistSettings, EffectiveConfig, Policy, TrustSettings, Zone } from './types.ts'

const CACHE_MS = 5_000

export type SettingsKey = 'trust' | 'allowlist' | 'policy'

interface Cached {
  at: number
  config: EffectiveConfig
  zones: Map<string, Zone>
}
let cache: Cached | undefined

export function invalidateConfigCache(): void {
  cache = undefined
}

export async function loadConfig(
  env: Env,
): Promise<{ config: EffectiveConfig; zones: Map<string, Zone> }> {
  const now = Date.now()
  if (cache && now - cache.at < CACHE_MS) return cache
  const [settings, zoneRows] = await env.DB.batch([
    env.DB.prepare('SELECT key, value, version FROM settings'),
    env.DB.prepare('SELECT zone_id, name, geometry, countries, jurisdiction FROM zones'),
  ])
  const byKey = new Map<string, { value: string; version: number }>()
  for (const r of settings!.results as { key: string; value: string; version: number }[])
    byKey.set(r.key, r)
  const dev = isDevelopment(env)
  const zones = new Map<string, Zone>()
  for (const r of zoneRows!.results as {
    zone_id: string
    name: string
    geometry: string
    countries: string
    jurisdiction: Zone['jurisdiction'] | null
  }[]) {
    zones.set(r.zone_id, {
      id: r.zone_id,
      name: r.name,
      geometry: JSON.parse(r.geometry),
      countries: JSON.parse(r.countries),
      ...(r.jurisdiction ? { jurisdiction: r.jurisdiction } : {}),
    })
  }
  if (dev && !zones.has(DEV_WORLD_ZONE.id)) zones.set(DEV_WORLD_ZONE.id, DEV_WORLD_ZONE)
  const policyRow = byKey.get('policy')
  const config: EffectiveConfig = {
    trust: parse<TrustSettings>(byKey.get('trust')?.value),
    allowlist: parse<AllowlistSettings>(byKey.get('allowlist')?.value) ?? EMPTY_ALLOWLIST,
    policy: parse<Policy>(policyRow?.value) ?? (dev ? DEV_POLICY : undefined),
    policyVersion: policyRow?.version ?? 0,
    defaultZoneIds: dev ? [DEV_WORLD_ZONE.id] : [],
  }
  cache = { at: now, config, zones }
  return cache
}

function parse<T>(v: string | undefined): T | undefined {
  return v === undefined ? undefined : (JSON.parse(v) as T)
}

export async function readSetting<T>(
  env: Env,
  key: SettingsKey,
): Promise<{ value: T; version: number } | undefined> {
  const row = await env.DB.prepare('SELECT value, version FROM settings WHERE key = ?')
    .bind(key)
    .first<{ value: string; version: number }>()
  return row ? { value: JSON.parse(row.value) as T, version: row.version } : undefined
}

/** Upsert a setting; bumps its version. `ifVersion` gives optimistic concurrency for editors. */
export async function writeSetting(
  env: Env,
  key: SettingsKey,
  value: unknown,
  by: string,
  ifVersion?: number,
): Promise<number> {
  const now = Date.now()
  const text = JSON.stringify(value)
  const row = await env.DB.prepare(
    `INSERT INTO settings (key, value, version, updated_at, updated_by) VALUES (?1, ?2, 1, ?3, ?4)
     ON CONFLICT(key) DO UPDATE SET value = ?2, version = version + 1, updated_at = ?3, updated_by = ?4
       WHERE ?5 IS NULL OR settings.version = ?5
     RETURNING version`,
  )
    .bind(key, text, now, by, ifVersion ?? null)
    .first<{ version: number }>()
  invalidateConfigCache()
  if (!row)
    throw new AegisError(
      'ERR_CONFIG_CONFLICT',
      `setting '${key}' changed since version ${ifVersion}`,
    )
  return row.version
}

export async function writeZone(env: Env, zone: Zone): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO zones (zone_id, name, geometry, countries, updated_at, jurisdiction)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT(zone_id) DO UPDATE SET name = ?2, geometry = ?3, countries = ?4, updated_at = ?5,
       jurisdiction = ?6`,
  )
    .bind(
      zone.id,
      zone.name,
      JSON.stringify(zone.geometry),
      JSON.stringify(zone.countries ?? []),
      Date.now(),
      zone.jurisdiction ?? null,
    )
    .run()
  invalidateConfigCache()
}

export async function deleteZone(env: Env, id: string): Promise<boolean> {
  const r = await env.DB.prepare('DELETE FROM zones WHERE zone_id = ?').bind(id).run()
  invalidateConfigCache()
  return r.meta.changes > 0
}
