/**
 * aegis agent enroll --collector URL --tpm TCTI [--state DIR] [--ek auto|rsa|ecc|rsa3072|...]
 *   [--ek-cert FILE | --ek-cert-url URL] [--ak-alg ecc|rsa] [--ak-handle 0x81008001]
 *   [--sensor-id ID --sensor-firmware FW] [--event-log FILE] [--force] [--json]
 * --event-log: the UEFI event log sent with the activation and when the boot PCRs change
 * (default /sys/kernel/security/tpm0/binary_bios_measurements when it exists).
 * Prints {"agentId":...,"token":...,"enrolled":"new"|"existing"}. With an existing state for the
 * same collector: a no-op that prints the same and says so on stderr. Exit 1 when the collector
 * or the TPM refuses (stderr names the code; with --json also stdout), 2 on usage errors.
 */
import { AegisError } from '../../../attest/errors.ts'
import { enrollAgent } from '../../enroll/enroll-agent.ts'
import { EK_KINDS, EK_PROFILES } from '../../tpm/templates/ek-templates.ts'
import { parseFlags, required } from '../args.ts'
import { parseCollectorUrl } from '../collector-target.ts'
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, reportFailure, type Command } from '../io.ts'
import { TPM_HELP, tpmArg } from '../tpm-arg.ts'

export const DEFAULT_SENSOR = { id: 'gnss:ublox-m8', firmware: 'fw-3.01' }

const EK_CHOICES = ['auto', ...EK_KINDS] as const

export const flags = {
  collector: 'string',
  tpm: 'string',
  state: 'string',
  ek: 'string',
  'ek-cert': 'string',
  'ek-cert-url': 'string',
  'ak-alg': 'string',
  'ak-handle': 'string',
  'sensor-id': 'string',
  'sensor-firmware': 'string',
  force: 'boolean',
  'event-log': 'string',
  json: 'boolean',
} as const

export const help = `usage: aegis agent enroll --collector URL --tpm TCTI [--state DIR] [--ek KIND] [--ek-cert FILE] [options]

Enroll this machine: send the EK (and its certificate) and a new AK, prove the AK lives in the
same TPM by TPM2_ActivateCredential, and keep the identity in the state directory. Prints
{"agentId","token","enrolled"}; with a state for the same collector it does nothing and says so.

options:
  --collector URL    collector origin, e.g. http://localhost:8787
${TPM_HELP}
  --state DIR        state directory (default AEGIS_STATE_DIR, else .aegis/agent)
  --ek KIND          EK template: auto (default: the first whose certificate is in NV), or one of
                     ${EK_KINDS.map((k) => `${k} (${EK_PROFILES[k].id})`).join(', ')}
  --ek-cert FILE     EK certificate (PEM bundle with its CA certificates, or DER) for TPMs
                     without one in NV (Intel PTT, AMD fTPM fetch it from the vendor)
  --ek-cert-url URL  fetch it from the vendor service; {ekhash} is replaced (docs/trust.md)
  --ak-alg ecc|rsa   the AK's algorithm (default ecc: P-256 ECDSA)
  --ak-handle H      persistent handle for the AK (default 0x81008001)
  --sensor-id ID     location sensor identity measured into the sensor PCR (default ${DEFAULT_SENSOR.id})
  --sensor-firmware FW  the sensor's firmware version (default ${DEFAULT_SENSOR.firmware})
  --event-log FILE   UEFI event log sent with the activation and when the boot PCRs change
                     (default /sys/kernel/security/tpm0/binary_bios_measurements when it exists)
  --force            enroll again although the state exists (after an operator reset or revoke)
  --json             on failure, also print {"ok":false,"code","message"} on stdout

example:
  aegis agent enroll --collector http://localhost:8787 --tpm swtpm:host=127.0.0.1,port=2321 --state /tmp/agent
`

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  if (f._.length > 0) throw new AegisError('ERR_USAGE', `unexpected argument '${f._[0]}'`)
  const ek = (f.ek ?? 'auto') as (typeof EK_CHOICES)[number]
  const akAlg = f['ak-alg'] ?? 'ecc'
  if (!EK_CHOICES.includes(ek))
    throw new AegisError('ERR_USAGE', `--ek must be one of ${EK_CHOICES.join(', ')}`)
  if (f['ek-cert'] && f['ek-cert-url'])
    throw new AegisError('ERR_USAGE', 'give --ek-cert or --ek-cert-url, not both')
  if (akAlg !== 'rsa' && akAlg !== 'ecc')
    throw new AegisError('ERR_USAGE', '--ak-alg must be ecc or rsa')
  const akHandle = f['ak-handle'] === undefined ? undefined : Number(f['ak-handle'])
  if (akHandle !== undefined && !Number.isInteger(akHandle))
    throw new AegisError('ERR_USAGE', '--ak-handle must be a number')
  const collector = parseCollectorUrl(required(f.collector, 'collector'))
  const tpm = tpmArg(f.tpm, io.env)
  if (tpm === undefined)
    throw new AegisError('ERR_USAGE', '--tpm is required (or set TPM2TOOLS_TCTI)')
  const stateDir = f.state ?? io.env.AEGIS_STATE_DIR ?? '.aegis/agent'
  try {
    const { state, fresh } = await enrollAgent({
      collector,
      tpm,
      stateDir,
      ek,
      ...(f['ek-cert'] ? { ekCertFile: f['ek-cert'] } : {}),
      ...(f['ek-cert-url'] ? { ekCertUrl: f['ek-cert-url'] } : {}),
      akAlg,
      ...(akHandle === undefined ? {} : { akHandle }),
      sensor: {
        id: f['sensor-id'] ?? DEFAULT_SENSOR.id,
        firmware: f['sensor-firmware'] ?? DEFAULT_SENSOR.firmware,
      },
      force: f.force ?? false,
      ...(f['event-log'] === undefined ? {} : { eventLog: f['event-log'] }),
    })
    if (!fresh) {
      io.stderr(
        `aegis agent enroll: already enrolled with ${state.collector} (state in ${stateDir}); nothing done. ` +
          'Use --force to enroll again.\n',
      )
    }
    io.stdout(
      JSON.stringify({
        agentId: state.agentId,
        token: state.token,
        enrolled: fresh ? 'new' : 'existing',
      }) + '\n',
    )
    return EXIT_OK
  } catch (e) {
    if (!(e instanceof AegisError) || e.code === 'ERR_USAGE') throw e
    return reportFailure(
      io,
      'agent enroll',
      f.json ?? false,
      e.code === 'ERR_CONFIG' ? EXIT_USAGE : EXIT_INVALID,
      e,
    )
  }
}
