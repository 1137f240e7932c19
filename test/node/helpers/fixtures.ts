/**
 * Inputs the integration tests share: the Paris zone polygon (central Paris, [lon, lat] as
 * GeoJSON wants) and `aegis agent enroll` of a swtpm against a collector through the real CLI.
 */
import { cli } from './cli.ts'

export const PARIS_POLYGON = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [2.2, 48.8],
      [2.5, 48.8],
      [2.5, 48.95],
      [2.2, 48.95],
      [2.2, 48.8],
    ],
  ],
}

/** `aegis agent enroll` of the TPM at `tpm` (a swtpm spec) with state in `stateDir`. */
export function enrollWithCli(
  collectorUrl: string,
  tpm: string,
  stateDir: string,
  ...extra: string[]
): ReturnType<typeof cli> {
  return cli([
    'agent',
    'enroll',
    '--collector',
    collectorUrl,
    '--tpm',
    tpm,
    '--state',
    stateDir,
    ...extra,
  ])
}
