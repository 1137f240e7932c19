/** Validators for the quote evidence shared by activation and batch ingest. */
import { AegisError } from '../errors.ts'
import type { HashAlg, PcrValues } from '../tpm/types.ts'
import { b64url, hexBytes, object, record } from './schema.ts'

const pcrBank = record(/^(0|[1-9]\d?)$/, hexBytes(), { max: 24 })

export const QuoteEvidence = object({
  attest: b64url({ min: 1, max: 2048 }),
  signature: b64url({ min: 1, max: 1024 }),
  pcrs: record(/^(sha1|sha256|sha384|sha512)$/, pcrBank, { max: 4 }),
})

export function toPcrValues(wire: Record<string, Record<string, Uint8Array>>): PcrValues {
  const out: PcrValues = {}
  for (const [bank, values] of Object.entries(wire)) {
    const m: Record<number, Uint8Array> = {}
    for (const [i, v] of Object.entries(values)) {
      const n = Number(i)
      if (n > 23) throw new AegisError('ERR_INPUT_MALFORMED', `PCR index ${i} out of range`)
      m[n] = v
    }
    out[bank as HashAlg] = m
  }
  return out
}
