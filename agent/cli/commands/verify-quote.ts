/**
 * `aegis verify quote --ak AK.pub --attest Q.attest --sig Q.sig --nonce HEX [--pcrs Q.pcrs]
 * [--ek EK.pub] [--allow-sha1] [--json]`: checks a TPM2_Quote offline from the files tpm2-tools
 * writes (TPM2B_PUBLIC, TPMS_ATTEST, TPMT_SIGNATURE, the tpm2_quote -o PCR file) with
 * attest/quote/verify-quote.ts. With --ek the quote's signer must be the AK's Qualified Name under
 * that EK in the endorsement hierarchy (an AK made by tpm2_createak); without, its shape only.
 * Exit 0 valid, 1 invalid evidence (malformed files included), 2 usage or unreadable input. With
 * --json stdout carries one JSON object: {ok: true, ...} or {ok: false, code, message}.
 * Leaves out PCR policy and nonce freshness: the caller knows what to expect.
 */
import { readFileSync } from 'node:fs'
import { fromHex, toHex } from '../../../attest/bytes/encoding.ts'
import { AegisError } from '../../../attest/errors.ts'
import { verifyQuote, type QuoteResult } from '../../../attest/quote/verify-quote.ts'
import { TPM_RH } from '../../../attest/tpm/constants.ts'
import { handleName, qualifiedName } from '../../../attest/tpm/name.ts'
import { parseTpm2ToolsPcrFile } from '../../../attest/tpm/pcr-file.ts'
import { parseTpm2bPublic } from '../../../attest/tpm/public.ts'
import type { HashAlg, PcrValues } from '../../../attest/tpm/types.ts'
import { parseFlags, required } from '../args.ts'
import { runOffline, type Command } from '../io.ts'

const FLAGS = {
  ak: 'string',
  attest: 'string',
  sig: 'string',
  nonce: 'string',
  pcrs: 'string',
  ek: 'string',
  'allow-sha1': 'boolean',
  json: 'boolean',
} as const

interface Inputs {
  ak: Uint8Array
  attest: Uint8Array
  sig: Uint8Array
  nonce: Uint8Array
  pcrs?: Uint8Array
  ek?: Uint8Array
  allowSha1: boolean
}

export const run: Command = (argv, io) =>
  runOffline(argv, io, 'verify quote', { read: readInputs, judge, text })

function judge(inputs: Inputs) {
  const ak = parseTpm2bPublic(inputs.ak)
  const ek = inputs.ek && parseTpm2bPublic(inputs.ek)
  const result: QuoteResult = verifyQuote({
    ak,
    attest: inputs.attest,
    signature: inputs.sig,
    expectedExtraData: inputs.nonce,
    pcrs: inputs.pcrs && parseTpm2ToolsPcrFile(inputs.pcrs).values,
    expectedSigner: ek
      ? qualifiedName(ak, qualifiedName(ek, handleName(TPM_RH.ENDORSEMENT)))
      : undefined,
    allowedHashes: inputs.allowSha1 ? ['sha1', 'sha256', 'sha384', 'sha512'] : undefined,
  })
  return report(result)
}

function readInputs(argv: string[]): Inputs {
  const f = parseFlags(argv, FLAGS)
  if (f._.length > 0) throw new AegisError('ERR_USAGE', `unexpected argument '${f._[0]}'`)
  const nonceHex = required(f.nonce, 'nonce')
  let nonce: Uint8Array
  try {
    nonce = fromHex(nonceHex.trim(), '--nonce')
  } catch (cause) {
    throw new AegisError('ERR_USAGE', '--nonce must be hex', { cause })
  }
  return {
    ak: read(required(f.ak, 'ak')),
    attest: read(required(f.attest, 'attest')),
    sig: read(required(f.sig, 'sig')),
    nonce,
    pcrs: f.pcrs === undefined ? undefined : read(f.pcrs),
    ek: f.ek === undefined ? undefined : read(f.ek),
    allowSha1: f['allow-sha1'] === true,
  }
}

function read(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file))
  } catch (cause) {
    throw new AegisError('ERR_IO', `cannot read ${file}`, { cause })
  }
}

interface Report {
  ok: true
  signer: string
  extraData: string
  clock: { clock: string; resetCount: number; restartCount: number; safe: boolean }
  firmwareVersion: string
  signature: { alg: string; hash: HashAlg }
  selection: Array<{ hash: HashAlg; pcrs: number[] }>
  pcrDigest: string
  pcrs?: Partial<Record<HashAlg, Record<string, string>>>
}

function report(r: QuoteResult): Report {
  const c = r.clockInfo
  const out: Report = {
    ok: true,
    signer: toHex(r.attest.qualifiedSigner),
    extraData: toHex(r.attest.extraData),
    // clock is a u64 of milliseconds: a decimal string keeps it exact in JSON.
    clock: {
      clock: c.clock.toString(),
      resetCount: c.resetCount,
      restartCount: c.restartCount,
      safe: c.safe,
    },
    firmwareVersion: r.firmwareVersion.toString(16).padStart(16, '0'),
    signature: { alg: r.signature.sigAlg, hash: r.signature.hashAlg },
    selection: r.selection.map((s) => ({ hash: s.hashAlg, pcrs: s.pcrs })),
    pcrDigest: toHex(r.pcrDigest),
  }
  if (r.pcrs) out.pcrs = hexPcrs(r.pcrs)
  return out
}

function hexPcrs(p: PcrValues): Partial<Record<HashAlg, Record<string, string>>> {
  const out: Partial<Record<HashAlg, Record<string, string>>> = {}
  for (const [bank, values] of Object.entries(p) as Array<[HashAlg, Record<number, Uint8Array>]>) {
    const b: Record<string, string> = {}
    for (const [i, v] of Object.entries(values)) b[i] = toHex(v)
    out[bank] = b
  }
  return out
}

function text(r: Report): string {
  const c = r.clock
  const lines = [
    'quote OK',
    `  signer      ${r.signer}`,
    `  extraData   ${r.extraData}`,
    `  clock       ${c.clock} ms, resetCount ${c.resetCount}, restartCount ${c.restartCount}, safe`,
    `  firmware    ${r.firmwareVersion}`,
    `  signature   ${r.signature.alg} ${r.signature.hash}`,
    ...r.selection.map((s) => `  selection   ${s.hash}: ${s.pcrs.join(',')}`),
    `  pcrDigest   ${r.pcrDigest}`,
  ]
  for (const [bank, values] of Object.entries(r.pcrs ?? {})) {
    for (const [i, v] of Object.entries(values)) lines.push(`  ${`${bank}[${i}]`.padEnd(11)} ${v}`)
  }
  return lines.join('\n') + '\n'
}

export const help = `usage: aegis verify quote --ak AK.pub --attest Q.attest --sig Q.sig --nonce HEX [options]

Check a TPM2_Quote offline from the files tpm2-tools writes (tpm2_quote -m/-s/-o).

options:
  --ak FILE          the AK's TPM2B_PUBLIC (tpm2_createak -u)
  --attest FILE      the TPMS_ATTEST (tpm2_quote -m)
  --sig FILE         the TPMT_SIGNATURE (tpm2_quote -s)
  --nonce HEX        the qualifying data the quote must carry
  --pcrs FILE        the PCR values file (tpm2_quote -o): checked against the quote's digest
  --ek FILE          the EK's TPM2B_PUBLIC: the signer must be the AK's qualified name under it
  --allow-sha1       accept a SHA-1 signature or PCR bank
  --json             print {"ok":...} as JSON

example:
  aegis verify quote --ak ak.pub --attest q.attest --sig q.sig --nonce 00112233 --pcrs q.pcrs
`
