/**
 * `aegis log sth [--shard ID] [--jwks FILE]`: the latest signed tree head of a log shard (GET
 * /v1/log/sth?shard=, auditor role; default the current period's shard, 'main' the legacy log,
 * 'root' the log of closed shards' final heads): tree size, root hash, timestamp, the log it
 * names and the collector's JWS over them. With --jwks (the collector's /.well-known/jwks.json,
 * saved beforehand) the JWS is verified here: signed by one of those keys, typ aegis-sth+jws,
 * over exactly the printed head and naming the asked shard (else ERR_LOG_STH, exit 1).
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

export const flags = { ...TARGET_FLAGS, jwks: 'string', shard: 'string' } as const

export const help = `usage: aegis log sth [--shard ID] [--jwks FILE] [--collector URL] [--token JWT] [--json]

Print a transparency log shard's signed tree head (auditor role), verified with --jwks.

options:
  --shard ID         the shard: 2026-12 (or 2026-12-04 with daily shards), main (the log before
                     shards) or root (the log of closed shards' final heads); default: the
                     current period's shard
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
  /** the shard or 'root' the head is of; absent for the legacy log 'main' */
  log?: string
}

const SHARD = /^(main|root|\d{4}-\d{2}(-\d{2})?)$/

/** --shard, checked; undefined when not given. */
export function shardFlag(v: string | undefined): string | undefined {
  if (v !== undefined && !SHARD.test(v)) {
    throw new AegisError('ERR_USAGE', '--shard must be YYYY-MM, YYYY-MM-DD, main or root')
  }
  return v
}

/** The query string naming the shard, to append to a log route. */
export function shardQuery(shard: string | undefined, sep: '?' | '&'): string {
  return shard === undefined ? '' : `${sep}shard=${shard}`
}

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  if (f._.length > 0) throw new AegisError('ERR_USAGE', `unexpected argument '${f._[0]}'`)
  const shard = shardFlag(f.shard)
  const keys = f.jwks === undefined ? undefined : readJwks(f.jwks)
  const sth = await operatorApi(resolveTarget(f, io.env)).get<Sth>(
    `/v1/log/sth${shardQuery(shard, '?')}`,
  )
  if (keys) await verifySth(sth, keys, shard)
  io.stdout(
    f.json
      ? JSON.stringify(sth) + '\n'
      : `log: ${sth.log ?? 'main'}\ntree size: ${sth.treeSize}\nroot hash: ${sth.rootHash}\ntimestamp: ${new Date(sth.timestamp).toISOString()}\nsignature: ${sth.signature}${keys ? ' (verified)' : ''}\n`,
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

/**
 * The JWS must be by a key of the set, of the tree-head type, over exactly this head, and of
 * the shard asked for (if one was: 'main' heads name none).
 */
export async function verifySth(sth: Sth, keys: JSONWebKeySet, shard?: string): Promise<void> {
  let claims: Record<string, unknown>
  try {
    const { payload, protectedHeader } = await compactVerify(sth.signature, createLocalJWKSet(keys))
    if (protectedHeader.typ !== TREE_HEAD_TYP)
      throw new Error(`typ ${protectedHeader.typ} is not ${TREE_HEAD_TYP}`)
    claims = JSON.parse(fromUtf8(payload)) as Record<string, unknown>
  } catch (cause) {
    throw new AegisError('ERR_LOG_STH', `tree head signature: ${(cause as Error).message}`, {
      cause,
    })
  }
  if (
    claims.treeSize !== sth.treeSize ||
    claims.rootHash !== sth.rootHash ||
    claims.timestamp !== sth.timestamp
  ) {
    throw new AegisError('ERR_LOG_STH', 'the signed tree head does not match the head it came with')
  }
  const expected = shard === undefined ? sth.log : shard === 'main' ? undefined : shard
  if (claims.log !== expected || sth.log !== claims.log) {
    const named = String(claims.log ?? 'main')
    throw new AegisError('ERR_LOG_STH', `the signed tree head is of log '${named}'`, {
      detail: { shard: shard ?? null },
    })
  }
}
