/**
 * aegis agent send --state DIR [--collector URL] [--count N] [--location lat,lon[,accuracyM]]
 * Posts N quoted batches of real host metrics and prints
 * {"sent":N,"accepted":A,"rejected":[{"code":...}],"batchIds":[...]}. Exit 0 when every batch was
 * accepted, 1 when any was rejected or the collector was unreachable, 2 on usage errors.
 */
import { AegisError } from '../../../attest/errors.ts'
import { parseLocation, sendBatches } from '../../batch/send-batches.ts'
import { loadState } from '../../state/agent-state.ts'
import { parseFlags } from '../args.ts'
import { EXIT_INVALID, EXIT_OK, type Command } from '../io.ts'

/** Default position for development: central Paris, 10 m accuracy. */
export const DEV_POSITION = '48.8566,2.3522,10'

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, { state: 'string', collector: 'string', count: 'string', location: 'string', tpm: 'string' })
  const stateDir = f.state ?? io.env.AEGIS_STATE_DIR ?? '.aegis/agent'
  const count = Number(f.count ?? 1)
  if (!Number.isSafeInteger(count) || count < 1 || count > 100_000) {
    throw new AegisError('ERR_USAGE', '--count must be a whole number from 1 to 100000')
  }
  const location = parseLocation(f.location ?? DEV_POSITION)
  const state = await loadState(stateDir)
  if (!state) throw new AegisError('ERR_CONFIG', `no agent state in ${stateDir}: run 'aegis agent enroll' first`)
  try {
    const r = await sendBatches({
      state,
      stateDir,
      count,
      location,
      ...(f.collector ? { collector: f.collector } : {}),
      ...(f.tpm ? { tpm: f.tpm } : {}),
    })
    io.stdout(JSON.stringify(r) + '\n')
    return r.rejected.length ? EXIT_INVALID : EXIT_OK
  } catch (e) {
    if (!(e instanceof AegisError) || e.code === 'ERR_USAGE' || e.code === 'ERR_CONFIG') throw e
    io.stdout(JSON.stringify({ ok: false, code: e.code, message: e.message }) + '\n')
    return EXIT_INVALID
  }
}
