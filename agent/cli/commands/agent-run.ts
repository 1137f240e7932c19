/**
 * aegis agent run --config FILE
 * Runs the agent as a service until SIGTERM or SIGINT (docs/agent.md): enrolls if needed,
 * measures the sensor, then builds, spools and sends a quoted batch every interval. Logs are
 * JSON lines on stderr. Exit 0 after a graceful stop, 2 for an invalid config (the message names
 * the key) or a state directory held by another agent, 1 when it stops on any other error.
 */
import { AegisError } from '../../../attest/errors.ts'
import { loadAgentConfig } from '../../config/agent-config.ts'
import { createLogger } from '../../run/logger.ts'
import { runAgent } from '../../run/run-agent.ts'
import { parseFlags, required } from '../args.ts'
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command } from '../io.ts'

export const flags = { config: 'string' } as const

export const help = `usage: aegis agent run --config FILE

Run the agent as a service until SIGTERM or SIGINT: enroll if needed, measure the sensor, then
build, spool and send a quoted batch every interval (docs/agent.md). Logs JSON lines on stderr.

options:
  --config FILE      the agent config (JSON: collector, tpm, stateDir, location, ...)

example:
  aegis agent run --config /etc/aegis/agent.json
`

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  if (f._.length > 0) throw new AegisError('ERR_USAGE', `unexpected argument '${f._[0]}'`)
  const cfg = await loadAgentConfig(required(f.config, 'config'))
  const log = createLogger({ level: cfg.logLevel, write: io.stderr })
  const stop = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) return
    log.info('stop requested', { signal })
    stop.abort()
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  try {
    await runAgent(cfg, { stop: stop.signal, log })
    return EXIT_OK
  } catch (e) {
    log.error('agent stopped on error', { error: e })
    return e instanceof AegisError && (e.code === 'ERR_CONFIG' || e.code === 'ERR_USAGE')
      ? EXIT_USAGE
      : EXIT_INVALID
  } finally {
    process.off('SIGTERM', onSignal)
    process.off('SIGINT', onSignal)
  }
}
