/**
 * `aegis log sth`: the transparency log's latest signed tree head (GET /v1/log/sth, auditor
 * role): tree size, root hash, timestamp and the collector's JWS over them. Keep one to check
 * later heads against it with `aegis log consistency --from-size N --from-root HEX`.
 */
import { AegisError } from '../../../attest/errors.ts'
import { parseFlags } from '../args.ts'
import { operatorApi, resolveTarget, TARGET_FLAGS, TARGET_HELP } from '../collector-target.ts'
import { EXIT_OK, type Command } from '../io.ts'

export const flags = { ...TARGET_FLAGS } as const

export const help = `usage: aegis log sth [--collector URL] [--token JWT] [--json]

Print the transparency log's signed tree head (auditor role).

options:
${TARGET_HELP}

example:
  aegis log sth --json > sth-today.json
`

export interface Sth {
  treeSize: number
  rootHash: string
  timestamp: number
  signature: string
}

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  if (f._.length > 0) throw new AegisError('ERR_USAGE', `unexpected argument '${f._[0]}'`)
  const sth = await operatorApi(resolveTarget(f, io.env)).get<Sth>('/v1/log/sth')
  io.stdout(
    f.json
      ? JSON.stringify(sth) + '\n'
      : `tree size: ${sth.treeSize}\nroot hash: ${sth.rootHash}\ntimestamp: ${new Date(sth.timestamp).toISOString()}\nsignature: ${sth.signature}\n`,
  )
  return EXIT_OK
}
