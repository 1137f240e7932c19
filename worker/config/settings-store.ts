/**
 * Read and write operator configuration (D1 `settings` and `zones`, through store/). Reads go through a per-isolate cache that lives
 * at most CACHE_MS, so a change reaches every isolate within that time without a redeploy; the
 * isolate that performed a write drops its cache at once. The cache is loss-tolerant by design.
 */
import { AegisError } from '../../attest/errors.ts'
import {
  readSettingRow,
  selectSettings,
  upsertSetting,
  type SettingRow,
} from '../store/settings.ts'
import { deleteZoneRow, selectZones, toZone, upsertZone, type ZoneRaw } from '../store/zones.ts'
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

export function invalidateConfigCache(): void {
  cache = undefined
}

export async function loadConfig(
  env: Env,
): Promise<{ config: EffectiveConfig; zones: Map<string, Zone> }> {
  const now = Date.now()
  if (cache && now - cache.at < CACHE_MS) return cache
  const [settings, zoneRows] = await env.DB.batch([selectSettings(env.DB), selectZones(env.DB)])
  const byKey = new Map<string, SettingRow>()
  for (const r of settings!.results as SettingRow[]) byKey.set(r.key, r)
  const dev = isDevelopment(env)
  const zones = new Map<string, Zone>()
  const kept = new Map<string, Zone['geometry']>()
  for (const r of zoneRows!.results as ZoneRaw[]) {
    const zone = toZone(r, geometries.get(r.geometry))
    kept.set(r.geometry, zone.geometry)
    zones.set(r.zone_id, zone)
  }
  geometries = kept
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
