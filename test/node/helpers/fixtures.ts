/**
 * What the integration tests share: the Paris zone polygon (central Paris, [lon, lat] as GeoJSON
 * wants), `aegis agent enroll` and `aegis agent send` through the real CLI, and polling until an
 * eventually-consistent result (sync through the queue) is there.
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

/** `aegis agent send --count N --location LAT,LON,ACC` for the agent whose state is `stateDir`. */
export function sendWithCli(
  stateDir: string,
  count: number | string,
  location: string,
  ...extra: string[]
): ReturnType<typeof cli> {
  return cli([
    'agent',
    'send',
    '--state',
    stateDir,
    '--count',
    String(count),
    '--location',
    location,
    ...extra,
  ])
}

/** Poll `f` every 250 ms until it returns a value; after `ms` fail naming `what`. */
export async function until<T>(
  what: string,
  f: () => Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await f()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}
