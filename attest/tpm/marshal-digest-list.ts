/**
 * Marshals a list of digests as TPML_DIGEST; the inverse of parseTpmlDigest.
 * Follows TPM 2.0 Part 2 §10.9.2 TPML_DIGEST.
 */
import { AegisError } from '../errors.ts'
import { ByteWriter } from '../bytes/writer.ts'
import { MAX_DIGEST_BYTES, MAX_DIGESTS_IN_LIST } from './constants.ts'

export function marshalTpmlDigest(list: readonly Uint8Array[]): Uint8Array {
  if (list.length > MAX_DIGESTS_IN_LIST || list.some((d) => d.length > MAX_DIGEST_BYTES)) {
    throw new AegisError('ERR_TPM_MALFORMED', 'TPML_DIGEST: too many or too long digests')
  }
  const w = new ByteWriter().u32(list.length)
  for (const d of list) w.sized(d)
  return w.finish()
}
