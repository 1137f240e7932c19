/**
 * `aegis eventlog extend FILE --tpm SPEC [--json]`: for a software TPM (swtpm has no firmware),
 * extend a recorded UEFI event log's events into the TPM's sha256 bank so its PCRs match that log
 * (agent/eventlog/extend-log.ts). Once per TPM start: a no-op when the PCRs already match.
 * Exit 0 done, 1 the TPM refused, 2 usage, unreadable file or PCRs already moved.
 */
import { AegisError } from '../../../attest/errors.ts'
import { extendEventLog } from '../../eventlog/extend-log.ts'
import { startup } from '../../tpm/commands/startup.ts'
import { Tpm } from '../../tpm/tpm.ts'
import { parseFlags, required } from '../args.ts'
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, reportFailure, type Command } from '../io.ts'
import { readEventLog } from '../../eventlog/boot-log.ts'

export const help = `usage: aegis eventlog extend FILE --tpm SPEC [--json]

For a software TPM, which has no firmware: extends every measured event of a recorded UEFI event
log (binary_bios_measurements) into the TPM's sha256 PCRs, so its PCRs equal what the log replays
to. Does nothing when they already do; refuses when they have moved from their reset values.

options:
  --tpm SPEC   the TPM: swtpm:host=H,port=P or device:/dev/tpmrm0
  --json       print one JSON object: {"ok":true,"extended":N,"already":false}

example:
  aegis eventlog extend test/vectors/eventlog/gce-rhel8.eventlog --tpm swtpm:host=127.0.0.1,port=2321
`

export const run: Command = async (argv, io) => {
  const json = argv.includes('--json')
  let file: string
  let spec: string
  let bytes: Uint8Array | undefined
  try {
    const f = parseFlags(argv, { tpm: 'string', json: 'boolean' } as const)
    if (f._.length !== 1) throw new AegisError('ERR_USAGE', 'expected exactly one event log FILE')
    file = f._[0]!
    spec = required(f.tpm, 'tpm')
    bytes = await readEventLog(file)
    if (!bytes) throw new AegisError('ERR_IO', `no such file ${file}`)
  } catch (e) {
    return reportFailure(io, 'eventlog extend', json, EXIT_USAGE, e)
  }
  const tpm = await Tpm.open(spec)
  try {
    await startup(tpm)
    const r = await extendEventLog(tpm, bytes)
    io.stdout(
      json
        ? JSON.stringify({ ok: true, ...r }) + '\n'
        : r.already
          ? 'PCRs already match the log\n'
          : `extended ${r.extended} events\n`,
    )
    return EXIT_OK
  } catch (e) {
    const usage = e instanceof AegisError && (e.code === 'ERR_USAGE' || e.code === 'ERR_CONFIG')
    return reportFailure(io, 'eventlog extend', json, usage ? EXIT_USAGE : EXIT_INVALID, e)
  } finally {
    await tpm.close()
  }
}
