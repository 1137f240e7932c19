/**
 * aegis agent enroll --collector URL --tpm swtpm:host=H,port=P|device:/dev/tpmrm0 [--state DIR]
 *   [--ek rsa|ecc] [--ak-alg ecc|rsa] [--ak-handle 0x81008001]
 *   [--sensor-id ID --sensor-firmware FW] [--event-log FILE]
 * --event-log: the UEFI event log sent with the activation and when the boot PCRs change
 * (default /sys/kernel/security/tpm0/binary_bios_measurements when it exists).
 * Prints {"agentId":...,"token":...}. With an existing state for the same collector: a no-op that
 * prints the same. Exit 1 when the collector or the TPM refuses (with the code), 2 on usage errors.
 */
import { AegisError } from '../../../attest/errors.ts'
import { enrollAgent } from '../../enroll/enroll-agent.ts'
import { parseFlags, required } from '../args.ts'
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command } from '../io.ts'

export const DEFAULT_SENSOR = { id: 'gnss:ublox-m8', firmware: 'fw-3.01' }

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, {
    collector: 'string',
    tpm: 'string',
    state: 'string',
    ek: 'string',
    'ak-alg': 'string',
    'ak-handle': 'string',
    'sensor-id': 'string',
    'sensor-firmware': 'string',
    force: 'boolean',
    'event-log': 'string',
  })
  const ek = f.ek ?? 'rsa'
  const akAlg = f['ak-alg'] ?? 'ecc'
  if (ek !== 'rsa' && ek !== 'ecc') throw new AegisError('ERR_USAGE', '--ek must be rsa or ecc')
  if (akAlg !== 'rsa' && akAlg !== 'ecc') throw new AegisError('ERR_USAGE', '--ak-alg must be ecc or rsa')
  const akHandle = f['ak-handle'] === undefined ? undefined : Number(f['ak-handle'])
  if (akHandle !== undefined && !Number.isInteger(akHandle)) throw new AegisError('ERR_USAGE', '--ak-handle must be a number')
  try {
    const { state } = await enrollAgent({
      collector: required(f.collector, 'collector'),
      tpm: required(f.tpm, 'tpm'),
      stateDir: f.state ?? io.env.AEGIS_STATE_DIR ?? '.aegis/agent',
      ek,
      akAlg,
      ...(akHandle === undefined ? {} : { akHandle }),
      sensor: { id: f['sensor-id'] ?? DEFAULT_SENSOR.id, firmware: f['sensor-firmware'] ?? DEFAULT_SENSOR.firmware },
      force: f.force ?? false,
      ...(f['event-log'] === undefined ? {} : { eventLog: f['event-log'] }),
    })
    io.stdout(JSON.stringify({ agentId: state.agentId, token: state.token }) + '\n')
    return EXIT_OK
  } catch (e) {
    if (!(e instanceof AegisError) || e.code === 'ERR_USAGE') throw e
    io.stdout(JSON.stringify({ ok: false, code: e.code, message: e.message, ...(e.detail ? { detail: e.detail } : {}) }) + '\n')
    return e.code === 'ERR_CONFIG' ? EXIT_USAGE : EXIT_INVALID
  }
}
