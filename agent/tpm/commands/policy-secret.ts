/**
 * TPM2_PolicySecret (TPM 2.0 Part 3 §23.4): extend a policy session with "the holder of
 * `authHandle`'s authValue approved" (for EKs: TPM_RH_ENDORSEMENT, empty endorsementAuth).
 * No nonceTPM, cpHash, policyRef or expiration, which is what the EK policies in the TCG EK
 * Credential Profile expect. The returned timeout/ticket are discarded (no expiration was asked).
 */
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import { TPM_CC } from '../constants.ts'
import { PASSWORD, type Authorization, type TpmExecutor } from '../framing/command-types.ts'

export async function policySecret(
  tpm: TpmExecutor,
  args: { authHandle: number; session: number; auth?: Authorization },
): Promise<void> {
  const empty = new Uint8Array(0)
  const res = await tpm.execute({
    code: TPM_CC.PolicySecret,
    handles: [args.authHandle, args.session],
    auths: [args.auth ?? PASSWORD],
    params: new ByteWriter().sized(empty).sized(empty).sized(empty).u32(0).finish(),
  })
  const r = res.params
  r.sized() // timeout
  r.u16() // policyTicket.tag
  r.u32() // policyTicket.hierarchy
  r.sized() // policyTicket.digest
  r.end()
}
