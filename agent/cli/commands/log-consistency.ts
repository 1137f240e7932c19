/**
 * `aegis log consistency [--shard ID] --from-size N [--from-root HEX] [--to-size M]`: fetch the
 * consistency proof between two tree sizes of one log shard, or of the root log of closed shards'
 * heads (GET /v1/log/consistency?shard=, auditor role) and verify it here
 * (attest/merkle/verify-consistency.ts, RFC 9162 §2.1.4.2): the older tree is a prefix of the
 * newer one, so nothing logged was rewritten. --from-root pins the old root an auditor kept from
 * an earlier `aegis log sth`; without --to-size the newer tree is the current signed tree head,
 * whose root the proof must reach. Exit 0 consistent, 1 not (ERR_LOG_PROOF) or refused, 2 usage.
 */
import { fromHex } from '../../../attest/bytes/encoding.ts'
import { AegisError } from '../../../attest/errors.ts'
import { verifyConsistency } from '../../../attest/merkle/verify-consistency.ts'
import { parseFlags, required } from '../args.ts'
import { operatorApi, resolveTarget, TARGET_FLAGS, TARGET_HELP } from '../collector-target.ts'
import { EXIT_OK, type Command } from '../io.ts'
import { readJwks, shardFlag, shardQuery, verifySth, type Sth } from './log-sth.ts'

export const flags = {
  ...TARGET_FLAGS,
  'from-size': 'string',
  'from-root': 'string',
  'to-size': 'string',
  jwks: 'string',
  shard: 'string',
} as const

export const help = `usage: aegis log consistency [--shard ID] --from-size N [--from-root HEX] [--to-size M] [--collector URL] [--token JWT] [--json]

Fetch and verify the proof that the log of N entries is a prefix of the log of M entries
(auditor role): nothing logged was removed or rewritten.

options:
  --shard ID         the shard (YYYY-MM or YYYY-MM-DD, main, or root: the log of closed shards'
                     final heads); default: the current period's shard
  --from-size N      the older tree size (from a tree head you kept)
  --from-root HEX    that tree head's root hash: the proof must start from it
  --to-size M        the newer tree size (default: the current signed tree head's, whose root
                     the proof must reach)
  --jwks FILE        the collector's JWK set: verify that current tree head's signature first
${TARGET_HELP}

example:
  aegis log consistency --from-size 120 --from-root 5f2a...c1
`

function size(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined
  if (!/^(0|[1-9]\d{0,15})$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw new AegisError('ERR_USAGE', `--${flag} must be a tree size (whole number)`)
  }
  return Number(v)
}

interface Proof {
  first: number
  second: number
  firstRoot: string
  secondRoot: string
  path: string[]
}

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  if (f._.length > 0) throw new AegisError('ERR_USAGE', `unexpected argument '${f._[0]}'`)
  const shard = shardFlag(f.shard)
  const from = size(required(f['from-size'], 'from-size'), 'from-size')!
  const pinnedRoot = f['from-root']?.toLowerCase()
  if (pinnedRoot !== undefined && !/^[0-9a-f]{64}$/.test(pinnedRoot)) {
    throw new AegisError('ERR_USAGE', '--from-root must be 64 hex digits')
  }
  const keys = f.jwks === undefined ? undefined : readJwks(f.jwks)
  if (keys && f['to-size'] !== undefined)
    throw new AegisError('ERR_USAGE', '--jwks checks the current tree head: leave out --to-size')
  const api = operatorApi(resolveTarget(f, io.env))
  let to = size(f['to-size'], 'to-size')
  let sth: Sth | undefined
  if (to === undefined) {
    sth = await api.get<Sth>(`/v1/log/sth${shardQuery(shard, '?')}`)
    if (keys) await verifySth(sth, keys, shard)
    to = sth.treeSize
  }
  if (from > to)
    throw new AegisError('ERR_USAGE', `--from-size ${from} is past the newer tree size ${to}`)
  const p = await api.get<Proof>(
    `/v1/log/consistency?from=${from}&to=${to}${shardQuery(shard, '&')}`,
  )
  const proofFail = (message: string) =>
    new AegisError('ERR_LOG_PROOF', message, { detail: { from, to } })
  if (p.first !== from || p.second !== to)
    throw proofFail('the collector answered for other tree sizes')
  if (pinnedRoot !== undefined && p.firstRoot !== pinnedRoot)
    throw proofFail('the old root is not the one you kept')
  if (sth && p.secondRoot !== sth.rootHash)
    throw proofFail('the proof does not reach the signed tree head')
  verifyConsistency({
    first: from,
    second: to,
    firstRoot: fromHex(p.firstRoot),
    secondRoot: fromHex(p.secondRoot),
    path: p.path.map((h) => fromHex(h)),
  })
  const report = {
    ok: true,
    first: from,
    second: to,
    firstRoot: p.firstRoot,
    secondRoot: p.secondRoot,
  }
  io.stdout(
    f.json
      ? JSON.stringify(report) + '\n'
      : `consistent: ${from} -> ${to} (root ${p.secondRoot})\n`,
  )
  return EXIT_OK
}
