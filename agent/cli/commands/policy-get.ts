/**
 * `aegis policy get`: the PCR and geofence policy in force (GET /v1/config/policy, operator role):
 * its value, version and source (operator, default or unset). With --json the API's answer; with
 * --value only the policy value, ready to edit and give back to `aegis policy set`.
 */
import { AegisError } from '../../../attest/errors.ts'
import { parseFlags } from '../args.ts'
import { operatorApi, resolveTarget, TARGET_FLAGS, TARGET_HELP } from '../collector-target.ts'
import { EXIT_OK, type Command } from '../io.ts'

export const flags = { ...TARGET_FLAGS, value: 'boolean' } as const

export const help = `usage: aegis policy get [--value] [--collector URL] [--token JWT] [--json]

Print the policy in force (operator role): PCR mode and golden values, sensor PCR, geofence
limits, with its version and where it comes from (operator, default, unset).

options:
  --value            print only the policy value as JSON (the input of aegis policy set)
${TARGET_HELP}

example:
  aegis policy get --value > policy.json
`

export interface PolicyReply {
  key: string
  value: unknown
  version: number
  source?: string
}

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  if (f._.length > 0) throw new AegisError('ERR_USAGE', `unexpected argument '${f._[0]}'`)
  const r = await operatorApi(resolveTarget(f, io.env)).get<PolicyReply>('/v1/config/policy')
  if (f.value) io.stdout(JSON.stringify(r.value, null, 2) + '\n')
  else if (f.json) io.stdout(JSON.stringify(r) + '\n')
  else
    io.stdout(
      `version: ${r.version}\nsource:  ${r.source ?? 'operator'}\npolicy:  ${JSON.stringify(r.value, null, 2)}\n`,
    )
  return EXIT_OK
}
