/**
 * `aegis verify ek-cert --cert EK.der|pem --roots DIR|PEM... [--intermediates PEM...]
 * [--ek-pub EK.pub] [--at ISO-TIME] [--json]`: checks an EK certificate offline: NV padding
 * stripped, parsed, chained to a manufacturer root (attest/x509/verify-chain.ts) at --at (default
 * now), and, with --ek-pub (a TPM2B_PUBLIC as tpm2_createek / tpm2_readpublic write it), that it
 * certifies that EK. --roots takes files (PEM bundles or DER) or directories of them (*.pem,
 * *.crt, *.cer, *.der), several after one flag or repeated; every certificate in them is a trust
 * anchor, self-signed or not (trust/tpm-vendors/<vendor> works as is). Exit 0 valid, 1 invalid
 * evidence (a malformed
 * certificate or EK public included), 2 usage error or unusable input (unreadable files, trust
 * material that does not parse). With --json stdout carries one JSON object:
 * {ok: true, subject, issuer, serial, tcg, chain, ekMatches} or {ok: false, code, message}.
 * Leaves out revocation: there is no CRL or OCSP for EK certificates at the edge.
 */
import { AegisError } from '../../../attest/errors.ts'
import { parseTpm2bPublic } from '../../../attest/tpm/public.ts'
import { stripEkCertPadding } from '../../../attest/x509/ek-cert-padding.ts'
import { assertEkCertMatches } from '../../../attest/x509/ek-match.ts'
import { parseCertificate } from '../../../attest/x509/parse-certificate.ts'
import { pemToDer } from '../../../attest/x509/pem.ts'
import type { Certificate, TcgDeviceInfo } from '../../../attest/x509/types.ts'
import { verifyChain } from '../../../attest/x509/verify-chain.ts'
import { parseFlags, required } from '../args.ts'
import { loadTrust, parseAt, readInput } from '../trust-material.ts'
import { runOffline, type Command } from '../io.ts'

const FLAGS = {
  cert: 'string',
  roots: 'list',
  intermediates: 'list',
  'ek-pub': 'string',
  at: 'string',
  json: 'boolean',
} as const

export const help = `usage: aegis verify ek-cert --cert FILE --roots PATH... [options]

Checks an EK certificate offline: NV padding or TCG header removed, chained to a trusted CA
(RFC 5280 path validation), optionally matched to the EK public key.

options:
  --cert FILE             EK certificate, DER (as read from NV, padding allowed) or PEM
  --roots PATH...         trust anchors: PEM/DER files or directories; every certificate counts
  --intermediates PATH... extra CA certificates for building the path (not trusted by themselves)
  --ek-pub FILE           TPM2B_PUBLIC of the EK; checks the certificate certifies this key
  --at TIME               ISO 8601 time to check validity at (default: now)
  --json                  one JSON object on stdout

example:
  aegis verify ek-cert --cert ek.der --roots trust/tpm-vendors/stmicro trust/tpm-vendors/infineon
`

interface Inputs {
  cert: Uint8Array
  roots: Certificate[]
  intermediates: Certificate[]
  ekPub?: Uint8Array
  at: Date
}

interface Report {
  ok: true
  subject: string
  issuer: string
  serial: string
  tcg?: TcgDeviceInfo
  chain: string[]
  ekMatches?: true
}

export const run: Command = (argv, io) =>
  runOffline(argv, io, 'verify ek-cert', { read: readInputs, judge, text })

function judge(inputs: Inputs): Report {
  const cert = parseCertificate(certDer(inputs.cert))
  const { chain } = verifyChain(cert, {
    roots: inputs.roots,
    intermediates: inputs.intermediates,
    at: inputs.at,
  })
  const out: Report = {
    ok: true,
    subject: cert.subject,
    issuer: cert.issuer,
    serial: cert.serial,
    tcg: cert.tcg,
    chain: chain.map((c) => c.subject),
  }
  if (inputs.ekPub) {
    assertEkCertMatches(cert, parseTpm2bPublic(inputs.ekPub))
    out.ekMatches = true
  }
  return out
}

/** A certificate file is PEM when it says so, otherwise DER as read from NV (maybe padded). */
function certDer(bytes: Uint8Array): Uint8Array {
  const head = String.fromCharCode(...bytes.subarray(0, 64)).trimStart()
  if (head.startsWith('-----BEGIN')) return pemToDer(new TextDecoder().decode(bytes))
  return stripEkCertPadding(bytes)
}

function readInputs(argv: string[]): Inputs {
  const f = parseFlags(argv, FLAGS)
  if (f._.length > 0) throw new AegisError('ERR_USAGE', `unexpected argument '${f._[0]}'`)
  const cert = readInput(required(f.cert, 'cert'))
  const { roots, intermediates } = loadTrust(required(f.roots, 'roots'), f.intermediates ?? [])
  return {
    cert,
    roots,
    intermediates,
    ekPub: f['ek-pub'] === undefined ? undefined : readInput(f['ek-pub']),
    at: parseAt(f.at) ?? new Date(),
  }
}

function text(r: Report): string {
  const t = r.tcg
  const lines = [
    'EK certificate OK',
    `  subject   ${r.subject || '(empty)'}`,
    `  issuer    ${r.issuer}`,
    `  serial    ${r.serial}`,
    ...(t
      ? [
          `  TPM       manufacturer ${t.manufacturer ?? '?'}, model ${t.model ?? '?'}, version ${t.version ?? '?'}`,
        ]
      : []),
    `  chain     ${r.chain.map((s) => s || '(empty)').join(' <- ')}`,
    ...(r.ekMatches ? ['  EK        matches the certificate'] : []),
  ]
  return lines.join('\n') + '\n'
}
