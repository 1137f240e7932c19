/**
 * TPM2_Quote (TPM 2.0 Part 3 §18.4): the signing key signs a TPMS_ATTEST over the selected PCRs'
 * digest and `qualifyingData`. inScheme is TPM_ALG_NULL, so the key's own scheme is used (a
 * restricted key allows no other). Returns the exact bytes: TPMS_ATTEST (the TPM2B_ATTEST body,
 * as signed) and TPMT_SIGNATURE (the rest of the response parameters).
 * Both are parsed with the shared strict parsers (so the collector can parse them too), not
 * verified: the collector does that.
 */
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import { AegisError } from '../../../attest/errors.ts'
import { TPM_ALG } from '../../../attest/tpm/constants.ts'
import { parseTpmsAttest } from '../../../attest/tpm/attest.ts'
import { writeTpmlPcrSelection } from '../../../attest/tpm/marshal-pcr-selection.ts'
import { readTpmtSignature } from '../../../attest/tpm/signature.ts'
import type { PcrSelection } from '../../../attest/tpm/types.ts'
import { TPM_CC } from '../constants.ts'
import { PASSWORD, type Authorization, type TpmExecutor } from '../framing/command-types.ts'

export async function quoteCommand(
  tpm: TpmExecutor,
  args: {
    signHandle: number
    /** TPM2B_DATA body: at most sizeof(TPMT_HA) = 66 bytes on a SHA-512 TPM, 34 on many. */
    qualifyingData: Uint8Array
    selection: readonly PcrSelection[]
    signAuth?: Authorization
  },
): Promise<{ attest: Uint8Array; signature: Uint8Array }> {
  const w = new ByteWriter().sized(args.qualifyingData).u16(TPM_ALG.NULL)
  writeTpmlPcrSelection(w, args.selection)
  const res = await tpm.execute({
    code: TPM_CC.Quote,
    handles: [args.signHandle],
    auths: [args.signAuth ?? PASSWORD],
    params: w.finish(),
  })
  const r = res.params
  const attest = r.sized().slice()
  const start = r.offset
  readTpmtSignature(r)
  const signature = r.buf.slice(start, r.offset)
  r.end()
  // A quote the collector could not parse is better caught here, with the TPM still at hand.
  if (parseTpmsAttest(attest).type !== 'quote') {
    throw new AegisError('ERR_ATTEST_TYPE', 'Quote: the TPM returned a non-quote attestation')
  }
  return { attest, signature }
}
