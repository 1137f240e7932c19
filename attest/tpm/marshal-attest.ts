/**
 * Marshals a TpmsAttest (QUOTE or CERTIFY body) into the TPMS_ATTEST bytes a TPM signs, field by
 * field (never from `raw`): benchmarks and ingest tests build synthetic evidence with it, and
 * marshalTpmsAttest(parseTpmsAttest(b)) == b. The magic is written as given, so tests can build
 * a wrong one.
 * Follows TPM 2.0 Part 2 §10.12.12 TPMS_ATTEST.
 */
import { AegisError } from '../errors.ts'
import { ByteWriter } from '../bytes/writer.ts'
import { TPM_ST } from './constants.ts'
import { writeTpmlPcrSelection } from './marshal-pcr-selection.ts'
import type { TpmsAttest } from './types.ts'

export function marshalTpmsAttest(a: TpmsAttest): Uint8Array {
  const w = new ByteWriter()
  w.u32(a.magic >>> 0)
  w.u16(a.type === 'quote' ? TPM_ST.ATTEST_QUOTE : TPM_ST.ATTEST_CERTIFY)
  w.sized(a.qualifiedSigner).sized(a.extraData)
  const c = a.clockInfo
  w.u64(c.clock)
    .u32(c.resetCount)
    .u32(c.restartCount)
    .u8(c.safe ? 1 : 0)
  w.u64(a.firmwareVersion)
  if (a.type === 'quote') {
    if (!a.quote) throw new AegisError('ERR_TPM_MALFORMED', 'TPMS_ATTEST: quote body missing')
    writeTpmlPcrSelection(w, a.quote.pcrSelect)
    w.sized(a.quote.pcrDigest)
  } else {
    if (!a.certify) throw new AegisError('ERR_TPM_MALFORMED', 'TPMS_ATTEST: certify body missing')
    w.sized(a.certify.name).sized(a.certify.qualifiedName)
  }
  return w.finish()
}
