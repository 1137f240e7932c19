/**
 * `aegis trust import --collector URL --vendors a,b [--roots PATH...] [--intermediates PATH...]
 * [--replace] [--dry-run] [--token T] [--json]`: adds the chosen vendors' CA certificates from
 * trust/tpm-vendors (and any given files) to the collector's trust config, or replaces it with
 * --replace, by PUT /v1/config/trust with an operator token. Nothing is trusted by default:
 * this is how an operator decides which TPM makers may enroll (docs/trust.md).
 */
import { AegisError } from '../../../attest/errors.ts'
import { parseFlags, required } from '../args.ts'
import { EXIT_OK, type Command } from '../io.ts'
import { certificatesIn } from '../trust-material.ts'
import {
  describeTrust,
  mergeTrust,
  operatorToken,
  pickVendors,
  readVendorSet,
  trustApi,
  type TrustConfig,
} from '../vendor-trust.ts'

export const help = `usage: aegis trust import --collector URL --vendors NAME,... [options]

Adds TPM vendor CA certificates to the collector's trust config (operator token).

options:
  --collector URL         collector base URL
  --vendors NAME,...      vendors from trust/tpm-vendors (infineon, stmicro, nuvoton, intel, amd,
                          microsoft, google, nationz, alibaba)
  --roots PATH...         extra trust anchors (PEM/DER files or directories)
  --intermediates PATH... extra intermediate CA certificates
  --replace               replace the current trust config instead of adding to it
  --dry-run               show what would be configured, change nothing
  --vendor-dir DIR        another curated set with the same manifest.json layout
  --token TOKEN           operator token (default: $AEGIS_TOKEN)
  --json                  one JSON object on stdout

example:
  aegis trust import --collector https://collector.example --vendors infineon,stmicro,nuvoton
`

const pem = (der: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, {
    collector: 'string',
    vendors: 'string',
    roots: 'list',
    intermediates: 'list',
    replace: 'boolean',
    'dry-run': 'boolean',
    'vendor-dir': 'string',
    token: 'string',
    json: 'boolean',
  })
  if (f._.length > 0) throw new AegisError('ERR_USAGE', `unexpected argument '${f._[0]}'`)
  const collector = required(f.collector, 'collector')
  const set = readVendorSet(f['vendor-dir'])
  const names = required(f.vendors, 'vendors')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const extra: TrustConfig = {
    roots: (f.roots ?? []).flatMap((p) => certificatesIn(p, '--roots')).map((c) => pem(c.der)),
    intermediates: (f.intermediates ?? [])
      .flatMap((p) => certificatesIn(p, '--intermediates'))
      .map((c) => pem(c.der)),
  }
  const chosen = mergeTrust(pickVendors(set, names), extra)
  const token = operatorToken(f.token, io.env)
  const current = f.replace ? null : (await trustApi(collector, token, 'GET')).value
  const next = current ? mergeTrust(current, chosen) : chosen
  const summary = {
    ok: true,
    dryRun: f['dry-run'] ?? false,
    vendors: names,
    roots: next.roots.length,
    intermediates: next.intermediates.length,
    version: undefined as number | undefined,
  }
  if (!f['dry-run']) summary.version = (await trustApi(collector, token, 'PUT', next)).version
  if (f.json) io.stdout(JSON.stringify(summary) + '\n')
  else {
    io.stdout(
      `${summary.dryRun ? 'would configure' : `trust config version ${summary.version}`}: ` +
        `${summary.roots} roots, ${summary.intermediates} intermediates\n` +
        describeTrust(next, set).join('\n') +
        '\n',
    )
  }
  return EXIT_OK
}
