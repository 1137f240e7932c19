/**
 * What leaves the device (docs/sovereignty.md "At the edge"): before a payload is encoded, and so
 * before it is quoted, labels the config marks sensitive are dropped or replaced by a keyed hash,
 * and the location may be coarsened to a grid cell. The quote then covers exactly what was sent;
 * the original values never leave the device, so no collector store can hold them.
 * The hash is HMAC-SHA256 with a device-local key (privacy-key in the state directory, created
 * once, never sent): equal values stay linkable on the device's own series, but nobody without
 * the key can test a guessed value against it.
 */
import { randomBytes } from 'node:crypto'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { toB64url, utf8 } from '../../attest/bytes/encoding.ts'
import { AegisError } from '../../attest/errors.ts'
import { coarsen } from '../../attest/geofence/coarsen.ts'
import type { BatchPayload } from '../../attest/ingest/batch-payload.ts'

export type LabelAction = 'drop' | 'hash'

export interface PrivacyConfig {
  /** Label name -> what to do with it before the payload leaves the device. */
  labels: Record<string, LabelAction>
  /** Grid cell (degrees) the reported location is coarsened to; undefined: exact. */
  locationPrecisionDeg?: number
}

export const NO_PRIVACY: PrivacyConfig = { labels: {} }
const KEY_FILE = 'privacy-key'

/** The device-local label key, created on first use (32 random bytes, owner-only). */
export async function labelKey(stateDir: string): Promise<Uint8Array> {
  const file = path.join(stateDir, KEY_FILE)
  try {
    const k = new Uint8Array(await readFile(file))
    if (k.length === 32) return k
    throw new AegisError('ERR_CONFIG', `${file} must hold 32 bytes`, { detail: { key: 'privacy' } })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
  const k = new Uint8Array(randomBytes(32))
  await writeFile(file, k, { mode: 0o600, flag: 'wx' })
  await chmod(file, 0o600)
  return k
}

export function hashLabel(key: Uint8Array, name: string, value: string): string {
  // The name is part of the MAC input, so one value under two names gives two hashes.
  return 'hmac:' + toB64url(hmac(sha256, key, utf8(`${name}\0${value}`)).slice(0, 18))
}

export function applyPrivacy(p: BatchPayload, cfg: PrivacyConfig, key: Uint8Array): BatchPayload {
  const metrics = p.metrics.map((m) => {
    if (!m.labels) return m
    const labels: Record<string, string> = {}
    for (const [k, v] of Object.entries(m.labels)) {
      const action = cfg.labels[k]
      if (action === 'drop') continue
      labels[k] = action === 'hash' ? hashLabel(key, k, v) : v
    }
    const { labels: _drop, ...rest } = m
    return Object.keys(labels).length ? { ...rest, labels } : rest
  })
  const deg = cfg.locationPrecisionDeg
  if (!deg) return { ...p, metrics }
  const c = coarsen(p.location.lat, p.location.lon, deg)
  const location = {
    ...p.location,
    lat: c.lat,
    lon: c.lon,
    accuracyM: Math.max(p.location.accuracyM, c.accuracyM),
  }
  return { ...p, location, metrics }
}
