/**
 * Frame a TPM 2.0 command: header (tag, commandSize, commandCode), handle area, authorization
 * area (when any handle is authorized), parameter area. TPM 2.0 Part 1 §18.2-18.4 and §19.6.3
 * (TPMS_AUTH_COMMAND). Leaves out HMAC computation: password sessions carry the authValue in the
 * hmac field in the clear, policy sessions here never need an HMAC (no PolicyAuthValue).
 */
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import { TPM_ST_NO_SESSIONS, TPM_ST_SESSIONS, TPMA_SESSION_CONTINUE } from '../constants.ts'
import { TPM_RH } from '../../../attest/tpm/constants.ts'
import type { Authorization, CommandRequest } from './command-types.ts'

export function buildCommand(req: CommandRequest): Uint8Array {
  const handles = req.handles ?? []
  const auths = req.auths ?? []
  const params = req.params ?? new Uint8Array(0)
  const w = new ByteWriter()
  for (const h of handles) w.u32(h)
  if (auths.length > 0) {
    const a = new ByteWriter()
    for (const auth of auths) authCommand(a, auth)
    const area = a.finish()
    w.u32(area.length).bytes(area)
  }
  w.bytes(params)
  const body = w.finish()
  return new ByteWriter()
    .u16(auths.length > 0 ? TPM_ST_SESSIONS : TPM_ST_NO_SESSIONS)
    .u32(10 + body.length)
    .u32(req.code)
    .bytes(body)
    .finish()
}

function authCommand(w: ByteWriter, auth: Authorization): void {
  if (auth.type === 'password') {
    // Part 1 §19.8.4: TPM_RS_PW, empty nonce, attributes 0, the authValue as the "hmac".
    w.u32(TPM_RH.PW)
      .sized(new Uint8Array(0))
      .u8(0)
      .sized(auth.auth ?? new Uint8Array(0))
  } else {
    // continueSession: the caller owns the session and flushes it in its finally block, so the
    // session's lifetime does not depend on whether the command succeeded.
    w.u32(auth.session).sized(new Uint8Array(0)).u8(TPMA_SESSION_CONTINUE).sized(new Uint8Array(0))
  }
}
