/**
 * aegis verify bundle FILE --roots DIR|PEM... --jwks FILE [--intermediates PEM...] [--at ISO]
 *   [--require-ek-cert] [--json]
 * Re-verifies a provenance record (GET /v1/provenance/{batchId}) offline, trusting only the
 * manufacturer roots and the collector's JWKS (GET /.well-known/jwks.json, saved beforehand).
 * The bundle carries the CA certificates that chained the EK at enrollment, so the vendor roots
 * are enough; every --roots certificate is a trust anchor (trust-material.ts).
 * Exit 0 and {"ok":true,...} when every check passes; 1 and {"ok":false,"code":...} otherwise;
 * 2 for usage errors or unreadable files. See attest/bundle/verify-provenance.ts for the checks.
 */
import { fromUtf8 } from '../../../attest/bytes/encoding.ts'
import { verifyProvenance, type BundleReport } from '../../../attest/bundle/verify-provenance.ts'
import { AegisError } from '../../../attest/errors.ts'
import { parseFlags, required } from '../args.ts'
import { EXIT_INVALID, EXIT_OK, type Command } from '../io.ts'
import { loadTrust, parseAt, readInput } from '../trust-material.ts'

export const help = `usage: aegis verify bundle FILE --roots PATH... --jwks FILE [options]

Re-verifies a provenance record offline: payload, quote, AK, EK certificate chain (with the
intermediates the bundle carries), receipt, transparency-log inclusion and tree head of the
shard named in the record, and (once that shard is closed) its final head in the root log.

options:
  FILE                    the provenance JSON (GET /v1/provenance/{batchId}); give it first
  --roots PATH...         trust anchors: PEM/DER files or directories; every certificate counts
  --intermediates PATH... extra CA certificates for building the EK path
  --jwks FILE             the collector's JWK set (GET /.well-known/jwks.json)
  --at TIME               ISO 8601 time for certificate validity (default: the batch's time)
  --require-ek-cert       fail when the agent enrolled without an EK certificate
  --json                  one JSON object on stdout

example:
  aegis verify bundle prov.json --roots trust/tpm-vendors/infineon trust/tpm-vendors/stmicro --jwks jwks.json
`

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, {
    roots: 'list',
    intermediates: 'list',
    jwks: 'string',
    at: 'string',
    'require-ek-cert': 'boolean',
    json: 'boolean',
  })
  if (f._.length !== 1) throw new AegisError('ERR_USAGE', 'give exactly one provenance file')
  const { roots, intermediates } = loadTrust(required(f.roots, 'roots'), f.intermediates ?? [])
  const jwks = parseJsonFile(required(f.jwks, 'jwks'), 'ERR_USAGE') as { keys?: unknown }
  if (!Array.isArray(jwks.keys)) throw new AegisError('ERR_USAGE', '--jwks is not a JWK set')
  const raw = parseJsonFile(f._[0]!, 'ERR_BUNDLE_MALFORMED')
  const at = parseAt(f.at)
  const report = await verifyProvenance(raw, {
    roots,
    intermediates,
    jwks: jwks as never,
    ...(at ? { at } : {}),
    requireEkCert: f['require-ek-cert'] ?? false,
  })
  // The report is the answer when the bundle verifies; a failed one is an error: people read it on
  // stderr, scripts get the JSON report on stdout with --json (and the code on stderr too).
  if (f.json) io.stdout(JSON.stringify(report) + '\n')
  else if (report.ok) io.stdout(text(report))
  if (!report.ok)
    io.stderr(
      f.json ? `aegis verify bundle: ${report.code}: bundle does not verify\n` : text(report),
    )
  return report.ok ? EXIT_OK : EXIT_INVALID
}

function parseJsonFile(file: string, code: 'ERR_USAGE' | 'ERR_BUNDLE_MALFORMED'): unknown {
  const bytes = readInput(file)
  try {
    return JSON.parse(fromUtf8(bytes, file))
  } catch (cause) {
    if (code === 'ERR_USAGE') throw new AegisError('ERR_USAGE', `${file} is not JSON`, { cause })
    return bytes.length === 0 ? null : { unparseable: true }
  }
}

function text(r: BundleReport): string {
  const lines = [
    r.ok
      ? `bundle OK: batch ${r.batchId}`
      : `bundle INVALID (${r.code})${r.batchId ? `: batch ${r.batchId}` : ''}`,
    ...(r.agentId
      ? [`  agent     ${r.agentId}`, `  verdict   ${r.verdict} zone ${r.zone ?? '-'} seq ${r.seq}`]
      : []),
    ...(r.ekCert
      ? [`  EK cert   ${r.ekCert.subject || '(empty subject)'} issued by ${r.ekCert.issuer}`]
      : []),
    ...(r.logIndex !== undefined
      ? [`  log       shard ${r.shard ?? 'main'}, leaf ${r.logIndex} of ${r.treeSize}`]
      : []),
    ...(r.rootIndex !== undefined
      ? [`  root log  the closed shard's final head is leaf ${r.rootIndex}`]
      : []),
    ...r.checks.map(
      (c) =>
        `  ${c.ok ? (c.skipped ? 'skip' : 'ok  ') : 'FAIL'}  ${c.name.padEnd(11)} ${c.skipped ?? (c.ok ? '' : `${c.code}: ${c.message}`)}`,
    ),
  ]
  return lines.join('\n') + '\n'
}
