/**
 * `aegis log shards [--jwks FILE]`: the transparency log's shards (GET /v1/log/shards, auditor
 * role), each with its latest signed tree head (the final one once closed, then a leaf of the
 * root log), and the root log's head. With --jwks every head's signature is verified here and
 * must name its own shard (ERR_LOG_STH, exit 1 otherwise), as `aegis log sth --shard` does.
 */
import { AegisError } from '../../../attest/errors.ts'
import { parseFlags } from '../args.ts'
import { printListing, targetApi, TARGET_FLAGS, TARGET_HELP } from '../collector-target.ts'
import type { Command } from '../io.ts'
import { readJwks, verifySth, type Sth } from './log-sth.ts'

export const flags = { ...TARGET_FLAGS, jwks: 'string' } as const

export const help = `usage: aegis log shards [--jwks FILE] [--collector URL] [--token JWT] [--json]

List the transparency log's shards with their latest signed tree heads and the root log's
head (auditor role); with --jwks, verify every head's signature and shard.

options:
  --jwks FILE        the collector's JWK set (/.well-known/jwks.json, saved beforehand)
${TARGET_HELP}

example:
  aegis log shards --jwks jwks.json
`

interface ShardList {
  period: string
  current: string
  root: Sth
  shards: { id: string; closed: boolean; rootIndex: number | null; sth: Sth }[]
}

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  if (f._.length > 0) throw new AegisError('ERR_USAGE', `unexpected argument '${f._[0]}'`)
  const keys = f.jwks === undefined ? undefined : readJwks(f.jwks)
  const list = await targetApi(f, io.env).get<ShardList>('/v1/log/shards')
  if (keys) {
    await verifySth(list.root, keys, 'root')
    for (const s of list.shards) await verifySth(s.sth, keys, s.id)
  }
  const rows = list.shards.map((s) => [
    s.id + (s.id === list.current ? ' (current)' : ''),
    s.closed ? `closed, root leaf ${s.rootIndex}` : 'open',
    String(s.sth.treeSize),
    s.sth.rootHash,
  ])
  return printListing(io, {
    json: f.json,
    answer: { ...list, verified: keys !== undefined },
    headers: ['shard', 'state', 'size', 'root hash'],
    rows,
    footer:
      `root log: size ${list.root.treeSize}, root hash ${list.root.rootHash}` +
      `${keys ? ' (all heads verified)' : ''}\n`,
  })
}
