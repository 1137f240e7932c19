/**
 * `aegis log sth [--jwks FILE]`: the transparency log's latest signed tree head (GET /v1/log/sth,
 * auditor role): tree size, root hash, timestamp and the collector's JWS over them. With --jwks
 * (the collector's /.well-known/jwks.json, saved beforehand) the JWS is verified here: signed by
 * one of those keys, typ aegis-sth+jws, over exactly the printed head (else ERR_LOG_STH, exit 1).
 * Keep one to check later heads against it with `aegis log consistency --from-size N --from-root`.
 */
import { readFileSync } from 'node:fs'
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose'
import { fromUtf8 } from '../../../attest/bytes/encoding.ts'
import { AegisError } from '../../../attest/errors.ts'
import { TREE_HEAD_TYP } from '../../../attest/tokens/typ.ts'
import { parseFlags } from '../args.ts'
import { operatorApi, resolveTarget, TARGET_FLAGS, TARGET_HELP } from '../collector-target.ts'
import { EXIT_OK, type Command } from '../io.ts'

export const flags = { ...TARGET_FLAGS, jwks: 'string' } as const

export const help = `usage: aegis log sth [--jwks FILE] [--collector URL] [--token JWT] [--json]

Print the transparency log's signed tree head (auditor role), verified with --jwks.

options:
  --jwks FILE        the collector's JWK set (/.well-known/jwks.json, saved beforehand): verify
                     the head's signature with it
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
  const keys = f.jwks === undefined ? undefined : readJwks(f.jwks)
  const sth = await operatorApi(resolveTarget(f, io.env)).get<Sth>('/v1/log/sth')
  if (keys) await verifySth(sth, keys)
  io.stdout(
    f.json
      ? JSON.stringify(sth) + '\n'
      : `tree size: ${sth.treeSize}\nroot hash: ${sth.rootHash}\ntimestamp: ${new Date(sth.timestamp).toISOString()}\nsignature: ${sth.signature}${keys ? ' (verified)' : ''}\n`,
  )
  return EXIT_OK
}

export function readJwks(file: string): JSONWebKeySet {
  let set: { keys?: unknown }
  try {
    set = JSON.parse(readFileSync(file, 'utf8')) as { keys?: unknown }
  } catch (cause) {
    throw new AegisError('ERR_USAGE', `--jwks ${file} cannot be read as JSON`, { cause })
  }
  if (!Array.isArray(set.keys)) throw new AegisError('ERR_USAGE', '--jwks is not a JWK set')
  return set as JSONWebKeySet
}

/** The JWS must be by a key of the set, of the tree-head type, over exactly this head. */
export async function verifySth(sth: Sth, keys: JSONWebKeySet): Promise<void> {
  let claims: Record<string, unknown>
  try {
    const { payload, protectedHeader } = await compactVerify(sth.signature, createLocalJWKSet(keys))
    if (protectedHeader.typ !== TREE_HEAD_TYP) throw new Error(`typ ${protectedHeader.typ} is not ${TREE_HEAD_TYP}`)
    claims = JSON.parse(fromUtf8(payload)) as Record<string, unknown>
  } catch (cause) {
    throw new AegisError('ERR_LOG_STH', `tree head signature: ${(cause as Error).message}`, { cause })
  }
  if (claims.treeSize !== sth.treeSize || claims.rootHash !== sth.rootHash || claims.timestamp !== sth.timestamp) {
    throw new AegisError('ERR_LOG_STH', 'the signed tree head does not match the head it came with')
  }
}
