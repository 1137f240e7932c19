/**
 * Built-in configuration. Production has none: no trust roots and no policy means enrollment and
 * ingest are refused until an operator configures them (deny by default). Development
 * (ENVIRONMENT=development or test) falls back to a permissive-but-real policy: PCRs pinned at
 * activation, a world-wide zone for agents without one.
 */
import type { AllowlistSettings, Policy, Zone } from './types.ts'

export const DEFAULT_SELECTION = [
  { hashAlg: 'sha256' as const, pcrs: [0, 1, 2, 3, 4, 5, 6, 7, 15] },
]

export const DEV_POLICY: Policy = {
  mode: 'enforce',
  pcr: { selection: DEFAULT_SELECTION, mode: 'baseline', golden: {}, sensorPcr: 15 },
  geo: { maxFixAgeSeconds: 300, maxSpeedMps: 300, requireCountryMatch: false },
  nonceTtlSeconds: 120,
  maxOutstandingNonces: 8,
  maxBodyBytes: 256 * 1024,
}

export const DEV_WORLD_ZONE: Zone = {
  id: 'dev-world',
  name: 'Development: whole world',
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [-180, -90],
        [180, -90],
        [180, 90],
        [-180, 90],
        [-180, -90],
      ],
    ],
  },
  countries: [],
}

export const EMPTY_ALLOWLIST: AllowlistSettings = {
  enabled: false,
  ekPublicSha256: [],
  certSerials: [],
}

export function isDevelopment(env: { ENVIRONMENT?: string }): boolean {
  return env.ENVIRONMENT === 'development' || env.ENVIRONMENT === 'test'
}
