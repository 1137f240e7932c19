/**
 * How the device CLI (`aegis-agent`, device-entry.ts) maps its arguments onto the `aegis` ones:
 *  - the agent commands without their group: `aegis-agent run|status|enroll|send` =
 *    `aegis agent ...` (the group form works too);
 *  - `run` and `status` with neither --config nor --state (nor AEGIS_STATE_DIR) use the packaged
 *    configuration, /etc/aegis/agent.json, so a bare `aegis-agent status` works on a device.
 */
export const DEFAULT_CONFIG = '/etc/aegis/agent.json'
const AGENT_COMMANDS = new Set(['enroll', 'send', 'run', 'status'])

export function deviceArgv(argv: string[], env: Record<string, string | undefined>): string[] {
  const full = AGENT_COMMANDS.has(argv[0] ?? '') ? ['agent', ...argv] : argv
  const cmd = full.slice(0, 2).join(' ')
  const located = full.some((a) => /^--(config|state)(=|$)/.test(a)) || !!env.AEGIS_STATE_DIR
  if ((cmd === 'agent run' || cmd === 'agent status') && !located) {
    return [...full, '--config', DEFAULT_CONFIG]
  }
  return full
}
