/**
 * `aegis trust show --collector URL [--token T] [--json]`: the collector's trust config (operator
 * token), one line per certificate with its role, the vendor it belongs to in trust/tpm-vendors
 * (matched by SHA-256; '-' for certificates from elsewhere) and its subject.
 */
import { AegisError } from '../../../attest/errors.ts'
import { parseFlags, required } from '../args.ts'
import { EXIT_OK, type Command } from '../io.ts'
import { describeTrust, operatorToken, readVendorSet, trustApi } from '../vendor-trust.ts'

export const help = `usage: aegis trust show --collector URL [options]

Shows the collector's EK trust config: which CA certificates are trusted, and from which vendor.

options:
  --collector URL   collector base URL
  --token TOKEN     operator token (default: $AEGIS_TOKEN)
  --json            the config as JSON ({roots, intermediates, version})

example:
  AEGIS_TOKEN=$(aegis token --role operator) aegis trust show --collector http://127.0.0.1:8787
`

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, {
    collector: 'string',
    token: 'string',
    json: 'boolean',
  })
  if (f._.length > 0) throw new AegisError('ERR_USAGE', `unexpected argument '${f._[0]}'`)
  const { value, version } = await trustApi(
    required(f.collector, 'collector'),
    operatorToken(f.token, io.env),
    'GET',
  )
  const cfg = value ?? { roots: [], intermediates: [] }
  if (f.json) io.stdout(JSON.stringify({ ...cfg, version }) + '\n')
  else {
    const lines = describeTrust(cfg, readVendorSet())
    io.stdout(
      `trust config version ${version}: ${cfg.roots.length} roots, ${cfg.intermediates.length} intermediates\n` +
        (lines.length
          ? lines.join('\n') + '\n'
          : '  (nothing trusted: every EK certificate is refused)\n'),
    )
  }
  return EXIT_OK
}
