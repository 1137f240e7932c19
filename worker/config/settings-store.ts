/**
 * Read and write operator configuration (D1 `settings` and `zones`, through store/). Reads go through a per-isolate cache that lives
 * at most CACHE_MS, so a change reaches every isolate within that time without a redeploy; the
 * isolate that performed a write drops its cache at once. The cache is loss-tolerant by design.
 * Zones (up to 1 MiB of GeoJSON each) are re-read only when their fingerprint changed
 * (store/zones.ts selectZonesFingerprint, migration 0010), not at every reload.
 */
import { AegisError } from '../../attest/errors.ts'
import {
  readSettingRow,
  selectSettings,
  upsertSetting,
  type SettingRow,
} from '../store/settings.ts'
import {
  deleteZoneRow,
  selectZones,
  selectZonesFingerprint,
  toZone,
  upsertZone,
  type ZoneRaw,
} from '../store/zones.ts'
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
/**
 * Parsed zone geometries by their stored text. A reload keeps the object of a geometry whose
 * text did not change, and with it the edge index the geofence check built for it
 * (attest/geofence/edge-index.ts; a large zone's index and parse cost milliseconds).
 */
let geometries = new Map<string, Zone['geometry']>()
/**
 * The zones as last read and the fingerprint they were read at (count and latest updated_at,
 * store/zones.ts). A reload asks for the fingerprint alone and re-reads the zones, up to 1 MiB of
 * GeoJSON each, only when it changed, or when they are ZONES_MAX_AGE_MS old.
 */
let zoneCache: { fingerprint: string; at: number; zones: Map<string, Zone> } | undefined
/** Re-read at least this often: bounds what an edit bypassing upsertZone (raw SQL) leaves stale. */
const ZONES_MAX_AGE_MS = 5 * 60_000

export function invalidateConfigCache(): void {
  cache = undefined
  zoneCache = undefined
}

/** Test hook: as if CACHE_MS had passed (the zones stay cached under their fingerprint). */
export function expireConfigCache(): void {
  cache = undefined
}

export async function loadConfig(
  env: Env,
): Promise<{ config: EffectiveConfig; zones: Map<string, Zone> }> {
  const now = Date.now()
  if (cache && now - cache.at < CACHE_MS) return cache
  const [settings, fp] = await env.DB.batch([
    selectSettings(env.DB),
    selectZonesFingerprint(env.DB),
  ])
  const byKey = new Map<string, SettingRow>()
  for (const r of settings!.results as SettingRow[]) byKey.set(r.key, r)
  const dev = isDevelopment(env)
  const fingerprint = (fp!.results[0] as { fingerprint: string }).fingerprint
  const zones =
    zoneCache && zoneCache.fingerprint === fingerprint && now - zoneCache.at < ZONES_MAX_AGE_MS
      ? zoneCache.zones
      : await readZones(env, dev, now)
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

/** Every zone, and the fingerprint of what was read (one D1 batch: the same snapshot). */
async function readZones(env: Env, dev: boolean, now: number): Promise<Map<string, Zone>> {
  const [fp, rows] = await env.DB.batch([selectZonesFingerprint(env.DB), selectZones(env.DB)])
  const zones = new Map<string, Zone>()
  const kept = new Map<string, Zone['geometry']>()
  for (const r of rows!.results as ZoneRaw[]) {
    const zone = toZone(r, geometries.get(r.geometry))
    kept.set(r.geometry, zone.geometry)
    zones.set(r.zone_id, zone)
  }
  geometries = kept
  if (dev && !zones.has(DEV_WORLD_ZONE.id)) zones.set(DEV_WORLD_ZONE.id, DEV_WORLD_ZONE)
  const fingerprint = (fp!.results[0] as { fingerprint: string }).fingerprint
  zoneCache = { fingerprint, at: now, zones }
  return zones
}

function parse<T>(v: string | undefined): T | undefined {
  return v === undefined ? undefined : (JSON.parse(v) as T)
}

export async function readSetting<T>(
  env: Env,
  key: SettingsKey,
): Promise<{ value: T; version: number } | undefined> {
  const row = await readSettingRow(env.DB, key)
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
  const version = await upsertSetting(env.DB, {
    key,
    value: JSON.stringify(value),
    at: Date.now(),
    by,
    ifVersion: ifVersion ?? null,
  })
  invalidateConfigCache()
  if (version === null)
    throw new AegisError(
      'ERR_CONFIG_CONFLICT',
      `setting '${key}' changed since version ${ifVersion}`,
    )
  return version
}

export async function writeZone(env: Env, zone: Zone): Promise<void> {
  await upsertZone(env.DB, zone, Date.now())
  invalidateConfigCache()
}

export async function deleteZone(env: Env, id: string): Promise<boolean> {
  const deleted = await deleteZoneRow(env.DB, id)
  invalidateConfigCache()
  return deleted
}
