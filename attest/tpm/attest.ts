/**
 * Strict parser for TPMS_ATTEST (the TPM2B_ATTEST body that a quote or certify signature covers):
 * magic first (ERR_ATTEST_MAGIC), then the type, of which only QUOTE and CERTIFY are accepted
 * (ERR_ATTEST_TYPE), then every field, with no trailing bytes. Leaves out the other attestation
 * bodies (NV, audit, time, creation) and any meaning of the fields: verify-quote.ts checks them.
 * Follows TPM 2.0 Part 2 §10.12.12 TPMS_ATTEST, §10.12.8 TPMS_QUOTE_INFO, §10.12.3
 * TPMS_CERTIFY_INFO, §10.11.1 TPMS_CLOCK_INFO.
 */
import { AegisError } from '../errors.ts'
import { ByteReader } from '../bytes/reader.ts'
import {
  MAX_DATA_BYTES,
  MAX_DIGEST_BYTES,
  MAX_NAME_BYTES,
  TPM_GENERATED_VALUE,
  TPM_ST,
} from './constants.ts'
import { readTpmlPcrSelection } from './pcr-selection.ts'
import type { ClockInfo, TpmsAttest } from './types.ts'

export function parseTpmsAttest(bytes: Uint8Array): TpmsAttest {
  const r = new ByteReader(bytes, 'TPMS_ATTEST')
  const magic = r.u32()
  if (magic !== TPM_GENERATED_VALUE) {
    throw new AegisError('ERR_ATTEST_MAGIC', 'TPMS_ATTEST: not TPM_GENERATED_VALUE')
  }
  const st = r.u16()
  if (st !== TPM_ST.ATTEST_QUOTE && st !== TPM_ST.ATTEST_CERTIFY) {
    throw new AegisError('ERR_ATTEST_TYPE', `TPMS_ATTEST: type 0x${st.toString(16)}`, {
      detail: { attestType: st },
    })
  }
  const qualifiedSigner = r.sized(MAX_NAME_BYTES).slice()
  const extraData = r.sized(MAX_DATA_BYTES).slice()
  const clockInfo = readClockInfo(r)
  const firmwareVersion = r.u64()
  const base = { magic, qualifiedSigner, extraData, clockInfo, firmwareVersion }
  let out: TpmsAttest
  if (st === TPM_ST.ATTEST_QUOTE) {
    const pcrSelect = readTpmlPcrSelection(r)
    const pcrDigest = r.sized(MAX_DIGEST_BYTES).slice()
    out = { ...base, type: 'quote', quote: { pcrSelect, pcrDigest }, raw: bytes.slice() }
  } else {
    const name = r.sized(MAX_NAME_BYTES).slice()
    const qualifiedName = r.sized(MAX_NAME_BYTES).slice()
    out = { ...base, type: 'certify', certify: { name, qualifiedName }, raw: bytes.slice() }
  }
  r.end()
  return out
}

function readClockInfo(r: ByteReader): ClockInfo {
  const clock = r.u64()
  const resetCount = r.u32()
  const restartCount = r.u32()
  const safe = r.u8()
  // TPMI_YES_NO admits only 0 and 1.
  if (safe > 1) throw new AegisError('ERR_TPM_MALFORMED', `TPMS_CLOCK_INFO: safe = ${safe}`)
  return { clock, resetCount, restartCount, safe: safe === 1 }
}
