/**
 * Unframe a TPM 2.0 response: check the header, turn a non-zero responseCode into
 * ERR_TPM_RESPONSE, split the handle area from the parameter area and skip the authorization
 * area. TPM 2.0 Part 1 §18.8-18.10 (response structure), §19.6.4 (TPMS_AUTH_RESPONSE).
 * Leaves out checking response HMACs: the client sends no HMAC sessions, so there are none.
 */
import { ByteReader } from '../../../attest/bytes/reader.ts'
import { AegisError } from '../../../attest/errors.ts'
import { TPM_ST_NO_SESSIONS, TPM_ST_SESSIONS, commandName } from '../constants.ts'
import { tpmResponseError } from '../response-code.ts'
import type { CommandResult } from './command-types.ts'

export function parseResponse(
  resp: Uint8Array,
  cc: number,
  expect: { handles: number; sessions: number },
): CommandResult {
  const what = `TPM2_${commandName(cc)} response`
  const r = new ByteReader(resp, what)
  const tag = r.u16()
  const size = r.u32()
  const rc = r.u32()
  if (size !== resp.length) {
    throw new AegisError('ERR_TPM_MALFORMED', `${what}: responseSize ${size} != ${resp.length}`)
  }
  if (rc !== 0) throw tpmResponseError(rc, cc)
  if (tag !== TPM_ST_SESSIONS && tag !== TPM_ST_NO_SESSIONS) {
    throw new AegisError('ERR_TPM_MALFORMED', `${what}: bad tag 0x${tag.toString(16)}`)
  }
  if ((tag === TPM_ST_SESSIONS) !== expect.sessions > 0) {
    throw new AegisError('ERR_TPM_MALFORMED', `${what}: tag does not match the sessions sent`)
  }
  const handles: number[] = []
  for (let i = 0; i < expect.handles; i++) handles.push(r.u32())
  let params: Uint8Array
  if (tag === TPM_ST_SESSIONS) {
    const n = r.u32()
    params = r.bytes(n)
    for (let i = 0; i < expect.sessions; i++) {
      r.sized() // nonceTPM
      r.u8() // sessionAttributes
      r.sized() // hmac
    }
  } else {
    params = r.bytes(r.remaining)
  }
  r.end()
  return { handles, params: new ByteReader(params, what) }
}
