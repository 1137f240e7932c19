/**
 * GET /v1/agents/{agentId}/boot (operator): the agent's last accepted and last refused UEFI event
 * logs as the collector judged them (findings, refusal code, Secure Boot, boot applications) and
 * the events that changed between the two, for the console's measured-boot view.
 */
import { Hono } from 'hono'
import { toB64url } from '../../attest/bytes/encoding.ts'
import { bootState } from '../../attest/eventlog/boot-state.ts'
import { diffEvents } from '../../attest/eventlog/diff-events.ts'
import { parseEventLog } from '../../attest/eventlog/parse-event-log.ts'
import { AegisError } from '../../attest/errors.ts'
import type { AppEnv } from '../app-env.ts'
import { requireRole } from '../auth/require-role.ts'
import { loadConfig } from '../config/settings-store.ts'
import { bootLogs, type BootLogRow } from '../store/boot-logs.ts'
import { AGENT_ID } from '../http/params.ts'

export const bootLogRoutes = new Hono<AppEnv>()

const DEFAULT_PCRS = [0, 1, 2, 3, 4, 5, 6, 7]

bootLogRoutes.get('/v1/agents/:agentId/boot', requireRole('operator'), async (c) => {
  const agentId = c.req.param('agentId')
  if (!AGENT_ID.test(agentId)) throw new AegisError('ERR_AGENT_UNKNOWN', 'agent is not enrolled')
  const rows = await bootLogs(c.env.DB, agentId)
  const accepted = rows.find((r) => r.kind === 'accepted')
  const refused = rows.find((r) => r.kind === 'refused')
  const pcrs = (await loadConfig(c.env)).config.policy?.eventLog?.pcrs ?? DEFAULT_PCRS
  const changes =
    accepted && refused
      ? diffEvents(parseEventLog(accepted.log), parseEventLog(refused.log), pcrs)
      : []
  return c.json({ agentId, pcrs, accepted: view(accepted), refused: view(refused), changes })
})

function view(r: BootLogRow | undefined) {
  if (!r) return null
  const s = bootState(parseEventLog(r.log))
  return {
    decidedAt: new Date(r.decidedAt).toISOString(),
    code: r.code,
    findings: r.findings,
    events: r.events,
    secureBoot: s.secureBoot,
    bootApps: s.bootApps.map((a) => ({
      ...a.event,
      digest: a.digests.sha256 ?? Object.values(a.digests)[0],
    })),
    kernel: s.kernel
      ? { ...s.kernel.event, digest: s.kernel.digests.sha256 ?? Object.values(s.kernel.digests)[0] }
      : null,
    firmware: s.firmwareVersions.map((f) => f.version),
    log: toB64url(r.log),
  }
}
