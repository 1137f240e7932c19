/**
 * `aegis agents list [--status active|revoked] [--limit N]`: the enrolled agents, as
 * GET /v1/agents (operator role), following `next` pages up to --limit. A table for people,
 * the API's JSON with --json. Exit 0, 1 when the collector refuses, 2 on usage errors.
 */
import { AegisError } from '../../../attest/errors.ts'
import { parseFlags } from '../args.ts'
import { printListing, targetApi, TARGET_FLAGS, TARGET_HELP } from '../collector-target.ts'
import type { Command } from '../io.ts'
import type { OperatorAgent } from '../../../attest/wire/types.ts'

export const flags = { ...TARGET_FLAGS, status: 'string', limit: 'string' } as const

export const help = `usage: aegis agents list [--status active|revoked] [--limit N] [--collector URL] [--token JWT] [--json]

List enrolled agents (operator role): id, status, zones, data residency (jurisdiction or -),
sensor, enrolled time.

options:
  --status S         only agents in this status: active or revoked
  --limit N          at most N agents (1..10000, default 1000)
${TARGET_HELP}

example:
  aegis agents list --collector http://localhost:8787 --token "$(aegis token --role operator)"
`

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  if (f._.length > 0) throw new AegisError('ERR_USAGE', `unexpected argument '${f._[0]}'`)
  if (f.status !== undefined && f.status !== 'active' && f.status !== 'revoked') {
    throw new AegisError('ERR_USAGE', '--status must be active or revoked')
  }
  const limit = Number(f.limit ?? 1000)
  if (!/^\d+$/.test(f.limit ?? '1000') || limit < 1 || limit > 10_000) {
    throw new AegisError('ERR_USAGE', '--limit must be a whole number from 1 to 10000')
  }
  const api = targetApi(f, io.env)
  const agents: OperatorAgent[] = []
  let after = ''
  while (agents.length < limit) {
    const q = new URLSearchParams({ limit: String(Math.min(1000, limit - agents.length)) })
    if (f.status) q.set('status', f.status)
    if (after) q.set('after', after)
    const page = await api.get<{ agents: OperatorAgent[]; next: string | null }>(`/v1/agents?${q}`)
    agents.push(...page.agents)
    if (!page.next) break
    after = page.next
  }
  const rows = agents.map((a) => [
    a.agentId,
    a.status,
    a.zones.join(',') || '-',
    a.jurisdiction ?? '-',
    a.sensor.id,
    a.enrolledAt,
  ])
  return printListing(io, {
    json: f.json,
    answer: { agents },
    headers: ['AGENT', 'STATUS', 'ZONES', 'RESIDENCY', 'SENSOR', 'ENROLLED'],
    rows,
  })
}
