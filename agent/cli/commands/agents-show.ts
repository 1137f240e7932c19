/**
 * `aegis agents show AGENT_ID`: one agent's record and replay state, as GET /v1/agents/{id}
 * (operator role). Text for people, the API's JSON with --json. Exit 0, 1 when the collector
 * refuses (ERR_AGENT_UNKNOWN for an unknown id), 2 on usage errors.
 */
import { AegisError } from '../../../attest/errors.ts'
import { parseFlags } from '../args.ts'
import { operatorApi, resolveTarget, TARGET_FLAGS, TARGET_HELP } from '../collector-target.ts'
import { EXIT_OK, type Command } from '../io.ts'

export const flags = { ...TARGET_FLAGS } as const

export const help = `usage: aegis agents show AGENT_ID [--collector URL] [--token JWT] [--json]

Show one agent's record (EK certificate, AK name, sensor, zones, PCR baseline) and replay state
(operator role).

options:
${TARGET_HELP}

example:
  aegis agents show 3f1c...e9 --json
`

export const AGENT_ID = /^[0-9a-f]{64}$/

export function agentIdArg(args: string[]): string {
  if (args.length !== 1) throw new AegisError('ERR_USAGE', 'give exactly one AGENT_ID')
  const id = args[0]!.toLowerCase()
  if (!AGENT_ID.test(id))
    throw new AegisError('ERR_USAGE', 'AGENT_ID is 64 hex digits (aegis agents list)')
  return id
}

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  const id = agentIdArg(f._)
  const a = await operatorApi(resolveTarget(f, io.env)).get<Record<string, unknown>>(
    `/v1/agents/${id}`,
  )
  if (f.json) {
    io.stdout(JSON.stringify(a) + '\n')
    return EXIT_OK
  }
  const show = (v: unknown) =>
    v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v)
  const keys = [
    'agentId',
    'status',
    'zones',
    'sensor',
    'akName',
    'ekCertSerial',
    'ekCertIssuer',
    'platform',
    'pcrBaseline',
    'enrolledAt',
    'revokedAt',
    'revokedReason',
    'replay',
  ]
  io.stdout(keys.map((k) => `${(k + ':').padEnd(15)}${show(a[k])}`).join('\n') + '\n')
  return EXIT_OK
}
