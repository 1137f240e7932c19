/**
 * `aegis zones put ZONE_ID FILE [--name NAME] [--country CC]...`: create or replace a zone
 * (PUT /v1/zones/{id}, operator role). FILE (`-` for stdin) holds a zone `{name, geometry,
 * countries?}`, a GeoJSON Feature (name from properties.name) or a bare Polygon/MultiPolygon;
 * flags override the name and countries. The collector validates it strictly
 * (ERR_GEO_INVALID_ZONE with the path). Exit 0, 1 refused, 2 usage or unreadable input.
 */
import { AegisError } from '../../../attest/errors.ts'
import { parseFlags } from '../args.ts'
import { operatorApi, resolveTarget, TARGET_FLAGS, TARGET_HELP } from '../collector-target.ts'
import { EXIT_OK, type Command } from '../io.ts'
import { readJsonArg } from './policy-set.ts'

export const flags = {
  ...TARGET_FLAGS,
  name: 'string',
  country: 'multi',
  jurisdiction: 'string',
} as const

export const help = `usage: aegis zones put ZONE_ID FILE|- [--name NAME] [--country CC]... [--jurisdiction eu|us|fedramp|none] [--collector URL] [--token JWT] [--json]

Create or replace a geofence zone (operator role) from FILE: a zone {name, geometry, countries?},
a GeoJSON Feature or a bare Polygon/MultiPolygon ([lon, lat] positions, RFC 7946).

options:
  --name NAME        the zone's display name (default: the file's, else ZONE_ID)
  --country CC       ISO 3166-1 alpha-2 code the request country must match; may repeat
  --jurisdiction J   where the data of agents in this zone must stay: eu, us, fedramp, or none
                     (docs/sovereignty.md)
${TARGET_HELP}

example:
  aegis zones put paris-dc paris.geojson --name "Paris DC" --country FR --jurisdiction eu
`

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The zone body the API takes, from any of the three file forms. */
export function zoneBody(raw: unknown, id: string, name?: string, countries?: string[]): Obj {
  if (!isObj(raw)) throw new AegisError('ERR_USAGE', 'the zone file must hold a JSON object')
  let body: Obj
  if (raw.type === 'Feature') {
    const props = isObj(raw.properties) ? raw.properties : {}
    body = { name: typeof props.name === 'string' ? props.name : id, geometry: raw.geometry }
  } else if (raw.type === 'Polygon' || raw.type === 'MultiPolygon') {
    body = { name: id, geometry: raw }
  } else {
    const { id: _ignored, ...rest } = raw
    body = { name: id, ...rest }
  }
  if (name !== undefined) body.name = name
  if (countries?.length) body.countries = countries
  return body
}

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  if (f._.length !== 2) throw new AegisError('ERR_USAGE', 'give ZONE_ID and FILE (or - for stdin)')
  const [id, file] = f._ as [string, string]
  const body = zoneBody(readJsonArg(file), id, f.name, f.country)
  if (f.jurisdiction !== undefined) {
    if (!['eu', 'us', 'fedramp', 'none'].includes(f.jurisdiction))
      throw new AegisError('ERR_USAGE', '--jurisdiction must be eu, us, fedramp or none')
    body.jurisdiction = f.jurisdiction === 'none' ? null : f.jurisdiction
  }
  const r = await operatorApi(resolveTarget(f, io.env)).put<{ zone: { id: string; name: string } }>(
    `/v1/zones/${encodeURIComponent(id)}`,
    body,
  )
  io.stdout(f.json ? JSON.stringify(r) + '\n' : `zone ${r.zone.id} (${r.zone.name}) stored\n`)
  return EXIT_OK
}
