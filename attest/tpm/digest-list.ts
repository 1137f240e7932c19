/**
 * Strict parser for TPML_DIGEST (as returned by TPM2_PCR_Read): at most 8 TPM2B_DIGESTs of at most
 * 64 bytes each. Sizes are not matched to a bank here; the caller knows which bank each belongs to.
 * Follows TPM 2.0 Part 2 §10.9.2 TPML_DIGEST.
 */
import { AegisError } from '../errors.ts'
import { ByteReader } from '../bytes/reader.ts'
import { MAX_DIGEST_BYTES, MAX_DIGESTS_IN_LIST } from './constants.ts'

export function parseTpmlDigest(bytes: Uint8Array): Uint8Array[] {
  const r = new ByteReader(bytes, 'TPML_DIGEST')
  const list = readTpmlDigest(r)
  r.end()
  return list
}

export function readTpmlDigest(r: ByteReader): Uint8Array[] {
  const count = r.u32()
  if (count > MAX_DIGESTS_IN_LIST) {
    throw new AegisError('ERR_TPM_MALFORMED', `TPML_DIGEST: ${count} digests`)
  }
  const out: Uint8Array[] = []
  for (let i = 0; i < count; i++) out.push(r.sized(MAX_DIGEST_BYTES).slice())
  return out
}
