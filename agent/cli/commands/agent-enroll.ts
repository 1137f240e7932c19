/**
 * aegis agent enroll --collector URL --tpm swtpm:host=H,port=P|device:/dev/tpmrm0 [--state DIR]
 *   [--ek auto|rsa|ecc|ecc-p256|rsa2048-h|ecc-p256-h|ecc-p521|rsa3072|rsa4096]
 *   [--ek-cert FILE | --ek-cert-url URL] [--ak-alg ecc|rsa] [--ak-handle 0x81008001]
 *   [--sensor-id ID --sensor-firmware FW]
 * Prints {"agentId":...,"token":...}. With an existing state for the same collector: a no-op that
 * prints the same. Exit 1 when the collector or the TPM refuses (with the code), 2 on usage errors.
 */
import { AegisError } from '../../../attest/errors.ts'
import { enrollAgent } from '../../enroll/enroll-agent.ts'
import { EK_KINDS, EK_PROFILES } from '../../tpm/templates/ek-templates.ts'
import { parseFlags, required } from '../args.ts'
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command } from '../io.ts'

export const DEFAULT_SENSOR = { id: 'gnss:ublox-m8', firmware: 'fw-3.01' }

const EK_CHOICES = ['auto', ...EK_KINDS] as const

export const help = `aegis agent enroll --collector URL --tpm TPM [options]

Enrolls this machine: EK (and its certificate) to the collector, AK bound by credential activation.

  --collector URL        collector base URL
  --tpm TPM              swtpm:host=H,port=P or device:/dev/tpmrm0
  --state DIR            where the agent keeps its identity (default: $AEGIS_STATE_DIR or .aegis/agent)
  --ek KIND              EK template: auto (default: the first whose certificate is in NV), or one of
                         ${EK_KINDS.map((k) => `${k} (${EK_PROFILES[k].id})`).join(', ')}
  --ek-cert FILE         EK certificate (PEM bundle with its CA certificates, or DER) for TPMs
                         without one in NV (Intel PTT, AMD fTPM fetch it from the vendor)
  --ek-cert-url URL      fetch it from the vendor service; {ekhash} is replaced (docs/trust.md)
  --ak-alg ecc|rsa       attestation key algorithm (default ecc)
  --ak-handle HANDLE     persistent AK handle (default 0x81008001)
  --sensor-id ID         location sensor identity; --sensor-firmware FW its firmware
  --force                enroll again even when the state says enrolled

Example:
  aegis agent enroll --collector https://collector.example --tpm device:/dev/tpmrm0 --ek-cert ek-bundle.pem
`

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, {
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
  })
  const ek = (f.ek ?? 'auto') as (typeof EK_CHOICES)[number]
  const akAlg = f['ak-alg'] ?? 'ecc'
  if (!EK_CHOICES.includes(ek)) throw new AegisError('ERR_USAGE', `--ek must be one of ${EK_CHOICES.join(', ')}`)
  if (f['ek-cert'] && f['ek-cert-url']) throw new AegisError('ERR_USAGE', 'give --ek-cert or --ek-cert-url, not both')
  if (akAlg !== 'rsa' && akAlg !== 'ecc') throw new AegisError('ERR_USAGE', '--ak-alg must be ecc or rsa')
  const akHandle = f['ak-handle'] === undefined ? undefined : Number(f['ak-handle'])
  if (akHandle !== undefined && !Number.isInteger(akHandle)) throw new AegisError('ERR_USAGE', '--ak-handle must be a number')
  try {
    const { state } = await enrollAgent({
      collector: required(f.collector, 'collector'),
      tpm: required(f.tpm, 'tpm'),
      stateDir: f.state ?? io.env.AEGIS_STATE_DIR ?? '.aegis/agent',
      ek,
      ...(f['ek-cert'] ? { ekCertFile: f['ek-cert'] } : {}),
      ...(f['ek-cert-url'] ? { ekCertUrl: f['ek-cert-url'] } : {}),
      akAlg,
      ...(akHandle === undefined ? {} : { akHandle }),
      sensor: { id: f['sensor-id'] ?? DEFAULT_SENSOR.id, firmware: f['sensor-firmware'] ?? DEFAULT_SENSOR.firmware },
      force: f.force ?? false,
    })
    io.stdout(JSON.stringify({ agentId: state.agentId, token: state.token }) + '\n')
    return EXIT_OK
  } catch (e) {
    if (!(e instanceof AegisError) || e.code === 'ERR_USAGE') throw e
    io.stdout(JSON.stringify({ ok: false, code: e.code, message: e.message, ...(e.detail ? { detail: e.detail } : {}) }) + '\n')
    return e.code === 'ERR_CONFIG' ? EXIT_USAGE : EXIT_INVALID
  }
}
