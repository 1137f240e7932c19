/**
 * `aegis decisions [--agent ID] [--code ERR_...] [--verdict accept|reject|accept-audit]
 * [--from ISO] [--to ISO] [--limit N]`: the decision audit trail, newest first
 * (GET /v1/decisions, auditor role): every enroll, activation and batch, allowed or refused, with
 * its reason code, zone and detail. A table for people, the API's JSON with --json.
 */
import { AegisError } from '../../../attest/errors.ts'
import { parseFlags } from '../args.ts'
import { printListing, targetApi, TARGET_FLAGS, TARGET_HELP } from '../collector-target.ts'
import type { Command } from '../io.ts'
import type { Decision } from '../../../attest/wire/types.ts'

export const flags = {
  ...TARGET_FLAGS,
  agent: 'string',
  code: 'string',
  verdict: 'string',
  from: 'string',
  to: 'string',
  limit: 'string',
} as const

export const help = `usage: aegis decisions [--agent ID] [--code ERR_...] [--verdict V] [--from ISO] [--to ISO] [--limit N] [--json]

Read the decision audit trail (auditor role), newest first: time, kind, verdict, code, agent,
zone and the detail of refusals.

options:
  --agent ID         only this agent's decisions (64 hex digits)
  --code ERR_...     only decisions with this reason code (docs/errors.md)
  --verdict V        accept, reject or accept-audit
  --from ISO         not before this time (e.g. 2026-12-04T20:00:00Z)
  --to ISO           not after this time
  --limit N          at most N decisions (1..1000, default 100)
${TARGET_HELP}

example:
  aegis decisions --verdict reject --from 2026-12-04T00:00:00Z
`

function query(f: {
  agent?: string
  code?: string
  verdict?: string
  from?: string
  to?: string
  limit?: string
}) {
  const q = new URLSearchParams()
  if (f.agent !== undefined) {
    if (!/^[0-9a-f]{64}$/i.test(f.agent))
      throw new AegisError('ERR_USAGE', '--agent is 64 hex digits')
    q.set('agent', f.agent.toLowerCase())
  }
  if (f.code !== undefined) {
    if (!/^ERR_[A-Z0-9_]+$/.test(f.code))
      throw new AegisError('ERR_USAGE', '--code is an ERR_... code')
    q.set('code', f.code)
  }
  if (f.verdict !== undefined) {
    if (!['accept', 'reject', 'accept-audit'].includes(f.verdict)) {
      throw new AegisError('ERR_USAGE', '--verdict must be accept, reject or accept-audit')
    }
    q.set('verdict', f.verdict)
  }
  for (const k of ['from', 'to'] as const) {
    const v = f[k]
    if (v === undefined) continue
    if (Number.isNaN(Date.parse(v)))
      throw new AegisError('ERR_USAGE', `--${k} must be an ISO 8601 time`)
    q.set(k, new Date(Date.parse(v)).toISOString())
  }
  const limit = f.limit ?? '100'
  if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000) {
    throw new AegisError('ERR_USAGE', '--limit must be a whole number from 1 to 1000')
  }
  q.set('limit', limit)
  return q
}

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  if (f._.length > 0) throw new AegisError('ERR_USAGE', `unexpected argument '${f._[0]}'`)
  const q = query(f)
  const r = await targetApi(f, io.env).get<{ decisions: Decision[] }>(`/v1/decisions?${q}`)
  const rows = r.decisions.map((d) => [
    d.at,
    d.kind,
    d.verdict,
    d.code ?? '-',
    d.agent_id ? d.agent_id.slice(0, 12) : '-',
    d.zone ?? '-',
    d.detail === null || d.detail === undefined ? '' : JSON.stringify(d.detail),
  ])
  return printListing(io, {
    json: f.json,
    answer: r,
    headers: ['AT (UTC)', 'KIND', 'VERDICT', 'CODE', 'AGENT', 'ZONE', 'DETAIL'],
    rows,
  })
}
