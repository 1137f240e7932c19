/**
 * `aegis zones list`: the operator's geofence zones (GET /v1/zones, viewer role): id, name,
 * countries and the geometry's size. --json prints the zones with their GeoJSON geometry.
 */
import { AegisError } from '../../../attest/errors.ts'
import { parseFlags } from '../args.ts'
import { printListing, targetApi, TARGET_FLAGS, TARGET_HELP } from '../collector-target.ts'
import type { Command } from '../io.ts'

export const flags = { ...TARGET_FLAGS } as const

export const help = `usage: aegis zones list [--collector URL] [--token JWT] [--json]

List the geofence zones (viewer role): id, name, required countries, polygons and positions.

options:
${TARGET_HELP}

example:
  aegis zones list --json > zones.json
`

interface ZoneView {
  id: string
  name: string
  countries?: string[]
  geometry: { type: string; coordinates: unknown }
}

function positions(coords: unknown): number {
  if (!Array.isArray(coords)) return 0
  if (typeof coords[0] === 'number') return 1
  return coords.reduce((n: number, c: unknown) => n + positions(c), 0)
}

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  if (f._.length > 0) throw new AegisError('ERR_USAGE', `unexpected argument '${f._[0]}'`)
  const r = await targetApi(f, io.env).get<{ zones: ZoneView[] }>('/v1/zones')
  const rows = r.zones.map((z) => [
    z.id,
    z.name,
    z.countries?.join(',') || '-',
    `${z.geometry.type} (${positions(z.geometry.coordinates)} positions)`,
  ])
  return printListing(io, {
    json: f.json,
    answer: r,
    headers: ['ZONE', 'NAME', 'COUNTRIES', 'GEOMETRY'],
    rows,
  })
}
