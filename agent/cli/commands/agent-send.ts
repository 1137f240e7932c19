/**
 * aegis agent send [--state DIR | --config FILE] [--collector URL] [--tpm TCTI] [--count N]
 *   [--location lat,lon[,accuracyM]] [--json]
 * Posts N quoted batches of real host metrics and prints
 * {"sent":N,"accepted":A,"rejected":[{"code":...}],"batchIds":[...]}; counts them in status.json
 * for `aegis agent status`. The fix comes from --location, else the agent config's fixed location
 * (--config), else AEGIS_LOCATION: there is no built-in position. The sensor PCR is measured again
 * when the TPM was reset. Exit 0 when every batch was accepted, 1 when any was rejected or the
 * collector was unreachable, 2 on usage errors.
 */
import { AegisError } from '../../../attest/errors.ts'
import { parseLocation, sendBatches, type Position } from '../../batch/send-batches.ts'
import { loadAgentConfig, type AgentConfig } from '../../config/agent-config.ts'
import { recordOneShot } from '../../run/agent-status.ts'
import { loadState } from '../../state/agent-state.ts'
import { parseFlags } from '../args.ts'
import { parseCollectorUrl } from '../collector-target.ts'
import { EXIT_INVALID, EXIT_OK, reportFailure, type Command } from '../io.ts'
import { TPM_HELP, tpmArg } from '../tpm-arg.ts'

export const flags = {
  state: 'string',
  config: 'string',
  collector: 'string',
  count: 'string',
  location: 'string',
  tpm: 'string',
  json: 'boolean',
} as const

export const help = `usage: aegis agent send [--state DIR | --config FILE] [--count N] [--location LAT,LON[,ACC]] [options]

Send N quoted batches of this host's metrics now, with the given location fix, and print
{"sent","accepted","rejected","batchIds"}. Measures the sensor PCR again after a TPM reset.

options:
  --state DIR        state directory (default AEGIS_STATE_DIR, else .aegis/agent)
  --config FILE      an agent config (docs/agent.md): its state directory and fixed location
  --count N          how many batches (1..100000, default 1)
  --location L       the fix: lat,lon[,accuracyM] in degrees and metres (else the config's
                     location.fixed, else AEGIS_LOCATION; there is no default position)
  --collector URL    send to this collector origin instead of the enrolled one
${TPM_HELP.replace('(else TPM2TOOLS_TCTI)', '(else the enrolled one)')}
  --json             on failure, also print {"ok":false,"code","message"} on stdout

example:
  aegis agent send --state /tmp/agent --count 3 --location 48.8566,2.3522,10
`

function pickLocation(
  flag: string | undefined,
  cfg: AgentConfig | undefined,
  env: Record<string, string | undefined>,
): Position {
  if (flag !== undefined) return parseLocation(flag)
  const loc = cfg?.location
  if (loc?.kind === 'fixed') return { lat: loc.lat, lon: loc.lon, accuracyM: loc.accuracyM }
  if (loc)
    throw new AegisError(
      'ERR_USAGE',
      `the config's location is ${loc.kind}: give --location for a one-shot send`,
    )
  if (env.AEGIS_LOCATION) return parseLocation(env.AEGIS_LOCATION)
  throw new AegisError(
    'ERR_USAGE',
    'no location fix: give --location lat,lon[,accuracyM] (or --config with location.fixed)',
  )
}

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  if (f._.length > 0) throw new AegisError('ERR_USAGE', `unexpected argument '${f._[0]}'`)
  if (f.state && f.config) throw new AegisError('ERR_USAGE', 'give --state or --config, not both')
  const count = Number(f.count ?? 1)
  if (!Number.isSafeInteger(count) || count < 1 || count > 100_000) {
    throw new AegisError('ERR_USAGE', '--count must be a whole number from 1 to 100000')
  }
  const cfg = f.config ? await loadAgentConfig(f.config) : undefined
  const location = pickLocation(f.location, cfg, io.env)
  const collector = f.collector === undefined ? undefined : parseCollectorUrl(f.collector)
  const tpm = f.tpm === undefined ? undefined : tpmArg(f.tpm, io.env)
  const stateDir = cfg?.stateDir ?? f.state ?? io.env.AEGIS_STATE_DIR ?? '.aegis/agent'
  const state = await loadState(stateDir)
  if (!state)
    throw new AegisError(
      'ERR_CONFIG',
      `no agent state in ${stateDir}: run 'aegis agent enroll' first`,
    )
  try {
    const r = await sendBatches({
      state,
      stateDir,
      count,
      location,
      ...(collector ? { collector } : {}),
      ...(tpm ? { tpm } : {}),
    })
    await recordOneShot(stateDir, r).catch((e: unknown) =>
      io.stderr(`aegis agent send: could not update status.json: ${(e as Error).message}\n`),
    )
    io.stdout(JSON.stringify(r) + '\n')
    for (const x of r.rejected)
      io.stderr(`aegis agent send: batch seq ${x.seq} rejected: ${x.code}: ${x.message}\n`)
    return r.rejected.length ? EXIT_INVALID : EXIT_OK
  } catch (e) {
    if (!(e instanceof AegisError) || e.code === 'ERR_USAGE' || e.code === 'ERR_CONFIG') throw e
    return reportFailure(io, 'agent send', f.json ?? false, EXIT_INVALID, e)
  }
}
