/**
 * The `--tpm` value of the agent commands: a tpm2-tss TCTI string (`swtpm:host=H,port=P`,
 * `mssim:...`, `device:/dev/tpmrm0`, agent/tpm/transport/open-transport.ts), else TPM2TOOLS_TCTI
 * as tpm2-tools reads it, so one exported variable serves both. A bad value is ERR_USAGE naming
 * where it came from.
 */
import { AegisError } from '../../attest/errors.ts'
import { parseTransportSpec } from '../tpm/transport/open-transport.ts'

export const TPM_HELP = `  --tpm TCTI         the TPM: swtpm:host=H,port=P, mssim:host=H,port=P or device:/dev/tpmrm0
                     (else TPM2TOOLS_TCTI)`

export function tpmArg(
  flag: string | undefined,
  env: Record<string, string | undefined>,
): string | undefined {
  const from = flag !== undefined ? '--tpm' : 'TPM2TOOLS_TCTI'
  const v = flag ?? (env.TPM2TOOLS_TCTI || undefined)
  if (v === undefined) return undefined
  try {
    parseTransportSpec(v)
  } catch (e) {
    throw new AegisError('ERR_USAGE', `${from}: ${(e as Error).message}`, { cause: e })
  }
  return v
}
