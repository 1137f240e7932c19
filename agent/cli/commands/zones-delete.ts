/**
 * `aegis zones delete ZONE_ID`: delete a zone (DELETE /v1/zones/{id}, operator role). Agents
 * assigned to it have no fix inside it any more. Exit 0, 1 refused (ERR_NOT_FOUND), 2 usage.
 */
import { AegisError } from '../../../attest/errors.ts'
import { parseFlags } from '../args.ts'
import { operatorApi, resolveTarget, TARGET_FLAGS, TARGET_HELP } from '../collector-target.ts'
import { EXIT_OK, type Command } from '../io.ts'

export const flags = { ...TARGET_FLAGS } as const

export const help = `usage: aegis zones delete ZONE_ID [--collector URL] [--token JWT] [--json]

Delete a geofence zone (operator role). Agents assigned only to it are refused until reassigned.

options:
${TARGET_HELP}

example:
  aegis zones delete lyon-dc
`

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  if (f._.length !== 1) throw new AegisError('ERR_USAGE', 'give exactly one ZONE_ID')
  const id = f._[0]!
  await operatorApi(resolveTarget(f, io.env)).delete(`/v1/zones/${encodeURIComponent(id)}`)
  io.stdout(f.json ? JSON.stringify({ ok: true, deleted: id }) + '\n' : `zone ${id} deleted\n`)
  return EXIT_OK
}
