/**
 * `aegis policy set FILE [--if-version N]`: replace the policy with the JSON value in FILE (`-`
 * for stdin) through PUT /v1/config/policy (operator role). The collector validates it
 * (ERR_INPUT_MALFORMED with the path of the bad member); --if-version makes the write conditional
 * (ERR_CONFIG_CONFLICT when someone else wrote first). Exit 0, 1 refused, 2 usage/unreadable.
 */
import { readFileSync } from 'node:fs'
import { AegisError } from '../../../attest/errors.ts'
import { parseFlags } from '../args.ts'
import { operatorApi, resolveTarget, TARGET_FLAGS, TARGET_HELP } from '../collector-target.ts'
import { EXIT_OK, type Command } from '../io.ts'

export const flags = { ...TARGET_FLAGS, 'if-version': 'string' } as const

export const help = `usage: aegis policy set FILE|- [--if-version N] [--collector URL] [--token JWT] [--json]

Replace the policy (operator role) with the JSON value in FILE (- reads stdin); the same form
aegis policy get --value prints. Applies to the next batch of every agent, no redeploy.

options:
  --if-version N     write only if the stored version is still N (else ERR_CONFIG_CONFLICT)
${TARGET_HELP}

example:
  aegis policy get --value > policy.json && $EDITOR policy.json && aegis policy set policy.json
`

export function readJsonArg(file: string): unknown {
  let text: string
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8')
  } catch (cause) {
    throw new AegisError('ERR_IO', `cannot read ${file}`, { cause })
  }
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new AegisError('ERR_USAGE', `${file} is not valid JSON`, { cause })
  }
}

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  if (f._.length !== 1)
    throw new AegisError('ERR_USAGE', 'give exactly one policy FILE (or - for stdin)')
  const v = f['if-version']
  if (v !== undefined && !/^\d{1,15}$/.test(v))
    throw new AegisError('ERR_USAGE', '--if-version must be a whole number')
  const value = readJsonArg(f._[0]!)
  const api = operatorApi(resolveTarget(f, io.env))
  const r = await api.put<{ version: number }>('/v1/config/policy', {
    value,
    ...(v === undefined ? {} : { ifVersion: Number(v) }),
  })
  io.stdout(f.json ? JSON.stringify(r) + '\n' : `policy stored: version ${r.version}\n`)
  return EXIT_OK
}
