/**
 * TPM2_ActivateCredential (TPM 2.0 Part 3 §12.5): the EK (keyHandle) decrypts the seed in
 * `secret`, checks the credential blob's HMAC against the Name of the object at activateHandle
 * (the AK) and returns the credential. activateHandle needs the ADMIN role (the AK's authValue by
 * password session, as the AK has no policy); keyHandle the USER role (for an EK: a satisfied
 * policy session).
 * Leaves out building or checking the blob itself (attest/credential/make-credential.ts does).
 */
import { TPM_CC } from '../constants.ts'
import type { Authorization, TpmExecutor } from '../framing/command-types.ts'
import { concat } from '../../../attest/bytes/encoding.ts'

export async function activateCredentialCommand(
  tpm: TpmExecutor,
  args: {
    activateHandle: number
    keyHandle: number
    activateAuth: Authorization
    keyAuth: Authorization
    /** TPM2B_ID_OBJECT, size prefix included. */
    credentialBlob: Uint8Array
    /** TPM2B_ENCRYPTED_SECRET, size prefix included. */
    secret: Uint8Array
  },
): Promise<Uint8Array> {
  const res = await tpm.execute({
    code: TPM_CC.ActivateCredential,
    handles: [args.activateHandle, args.keyHandle],
    auths: [args.activateAuth, args.keyAuth],
    params: concat(args.credentialBlob, args.secret),
  })
  const certInfo = res.params.sized().slice()
  res.params.end()
  return certInfo
}
