/**
 * aegis agent status [--state DIR | --config FILE] [--json]
 * Reports an agent's state directory whether or not the agent is running:
 * {"enrolled","agentId","running","pid","spoolDepth","spoolBytes","produced","accepted",
 *  "rejected","dropped","quarantined","rejectedByCode","skippedNoFix","lastSuccess","lastError",
 *  "lastRejection","startedAt","stoppedAt"}. Without --json, the same as aligned text.
 * Exit 0, or 2 when the directory cannot be read.
 */
import { AegisError } from '../../../attest/errors.ts'
import { loadAgentConfig } from '../../config/agent-config.ts'
import { readAgentStatus } from '../../run/agent-status.ts'
import { parseFlags } from '../args.ts'
import { EXIT_OK, type Command } from '../io.ts'

export const flags = { state: 'string', config: 'string', json: 'boolean' } as const

export const help = `usage: aegis agent status [--state DIR | --config FILE] [--json]

Report an agent's state directory, running or not: enrolled identity, pid, spool depth, batches
produced, accepted and rejected (one-shot aegis agent send included), last success and error.

options:
  --state DIR        state directory (default AEGIS_STATE_DIR, else .aegis/agent)
  --config FILE      an agent config: use its state directory
  --json             one JSON object instead of text

example:
  aegis agent status --config /etc/aegis/agent.json --json
`

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  if (f._.length > 0) throw new AegisError('ERR_USAGE', `unexpected argument '${f._[0]}'`)
  if (f.state && f.config) throw new AegisError('ERR_USAGE', 'give --state or --config, not both')
  const stateDir = f.config
    ? (await loadAgentConfig(f.config)).stateDir
    : (f.state ?? io.env.AEGIS_STATE_DIR ?? '.aegis/agent')
  const s = await readAgentStatus(stateDir)
  if (f.json) {
    io.stdout(JSON.stringify(s) + '\n')
    return EXIT_OK
  }
  const rows: [string, unknown][] = [
    ['state', stateDir],
    ['enrolled', s.enrolled ? `yes (${s.agentId})` : 'no'],
    ['collector', s.collector ?? '-'],
    ['running', s.running ? `yes (pid ${s.pid})` : 'no'],
    ['spool', `${s.spoolDepth} batches, ${s.spoolBytes} bytes`],
    ['produced', s.produced],
    ['accepted', s.accepted],
    ['rejected', s.rejected + (s.rejected ? ` ${JSON.stringify(s.rejectedByCode)}` : '')],
    [
      'one-shot sends',
      `${s.oneShot.sent} (accepted ${s.oneShot.accepted}, rejected ${s.oneShot.rejected})`,
    ],
    ['dropped', s.dropped],
    ['skipped (no fix)', s.skippedNoFix],
    ['last success', s.lastSuccess ?? '-'],
    [
      'last error',
      s.lastError ? `${s.lastError.at} ${s.lastError.code}: ${s.lastError.message}` : '-',
    ],
  ]
  io.stdout(rows.map(([k, v]) => `${(k + ':').padEnd(18)}${String(v)}`).join('\n') + '\n')
  return EXIT_OK
}
