/**
 * Credential activation on the agent: prove to the collector that the AK lives in the same TPM as
 * the EK by recovering the secret it wrapped with MakeCredential.
 *
 * Byte forms taken, chosen by `form` (never guessed: an RSA secret's first two bytes can look
 * like a size prefix):
 *   form 'tpm2b' (default): exactly the two structures tpm2_makecredential writes after its
 *     8-byte header (u32 0xBADCC0DE, u32 1), size prefixes included:
 *       credentialBlob   TPM2B_ID_OBJECT        u16 size || TPM2B_DIGEST hmac || encIdentity
 *       encryptedSecret  TPM2B_ENCRYPTED_SECRET u16 size || RSA: the OAEP block; ECC: the
 *                                               marshalled ephemeral TPMS_ECC_POINT
 *     A size prefix that does not match the length is ERR_INPUT_MALFORMED.
 *   form 'body': the same without the outer u16 size, as attest/credential/make-credential.ts
 *     returns them (and so as the collector's /v1/enroll reply carries them, base64url-decoded).
 * Returns the recovered credential (the TPM2B_DIGEST body: the 32-byte secret).
 *
 * EK authorization follows the EK's authPolicy (TCG EK Credential Profile): the SHA-256
 * PolicySecret(TPM_RH_ENDORSEMENT) policy of template L-1, or for template H-3 a SHA-384 session
 * with PolicySecret(TPM_RH_ENDORSEMENT) then PolicyOR(policy A, policy B). The AK is authorized
 * by an empty password. The policy session, and the EK when it had to be re-created, are flushed
 * whatever happens.
 * TPM 2.0 Part 3 §12.5 TPM2_ActivateCredential; Part 1 §24 (credential protection).
 * Leaves out EKs with non-empty endorsementAuth and other EK policies (ERR_KEY_UNSUPPORTED).
 */
import { bytesEqual } from '../../attest/bytes/encoding.ts'
import { ByteWriter } from '../../attest/bytes/writer.ts'
import { AegisError } from '../../attest/errors.ts'
import { TPM_RH } from '../../attest/tpm/constants.ts'
import { PASSWORD } from './framing/command-types.ts'
import { EK_PROFILES, ekPolicyFor, type EkKind } from './templates/ek-templates.ts'
import type { Tpm } from './tpm.ts'

export interface ActivateArgs {
  /** The EK as getEndorsementKey returned it; `name`, when given, must match the TPM's EK. */
  ek: { kind: EkKind; handle?: number | undefined; name?: Uint8Array }
  akHandle: number
  /** TPM2B_ID_OBJECT (see `form`). */
  credentialBlob: Uint8Array
  /** TPM2B_ENCRYPTED_SECRET (see `form`). */
  encryptedSecret: Uint8Array
  /** 'tpm2b' (default): both carry their u16 size prefix; 'body': neither does. */
  form?: 'tpm2b' | 'body'
}

export async function activateCredential(tpm: Tpm, input: ActivateArgs): Promise<Uint8Array> {
  const args = { ...input }
  if ((input.form ?? 'tpm2b') === 'body') {
    args.credentialBlob = prefix(input.credentialBlob, 'credentialBlob (TPMS_ID_OBJECT)')
    args.encryptedSecret = prefix(input.encryptedSecret, 'encryptedSecret')
  }
  checkTpm2b(args.credentialBlob, 'credentialBlob (TPM2B_ID_OBJECT)')
  checkTpm2b(args.encryptedSecret, 'encryptedSecret (TPM2B_ENCRYPTED_SECRET)')

  if (args.ek.handle !== undefined) {
    const ek = await tpm.readPublic(args.ek.handle)
    return activateWith(tpm, args, args.ek.handle, ek.pub.authPolicy, ek.name)
  }
  const created = await tpm.createPrimary({
    hierarchy: TPM_RH.ENDORSEMENT,
    template: EK_PROFILES[args.ek.kind].template.bytes,
  })
  return tpm.withFlushed(created.handle, (h) =>
    activateWith(tpm, args, h, created.pub.authPolicy, created.name),
  )
}

async function activateWith(
  tpm: Tpm,
  args: ActivateArgs,
  ekHandle: number,
  authPolicy: Uint8Array,
  ekName: Uint8Array,
): Promise<Uint8Array> {
  if (args.ek.name && !bytesEqual(args.ek.name, ekName)) {
    throw new AegisError('ERR_CONFIG', 'the TPM holds a different EK than the one enrolled', {
      detail: { ekHandle },
    })
  }
  const policy = ekPolicyFor(authPolicy)
  if (!policy) {
    throw new AegisError(
      'ERR_KEY_UNSUPPORTED',
      'the EK has an authPolicy this agent cannot satisfy',
    )
  }
  const session = await tpm.startPolicySession(policy.hashAlg)
  return tpm.withFlushed(session.handle, async (s) => {
    await tpm.policySecret({ authHandle: TPM_RH.ENDORSEMENT, session: s })
    if (policy.orBranches) await tpm.policyOr(s, policy.orBranches)
    return tpm.activateCredential({
      activateHandle: args.akHandle,
      keyHandle: ekHandle,
      activateAuth: PASSWORD,
      keyAuth: { type: 'policy', session: s },
      credentialBlob: args.credentialBlob,
      secret: args.encryptedSecret,
    })
  })
}

function prefix(body: Uint8Array, what: string): Uint8Array {
  if (body.length === 0 || body.length > 0xffff) {
    throw new AegisError('ERR_INPUT_MALFORMED', `${what}: empty or too long`)
  }
  return new ByteWriter().sized(body).finish()
}

function checkTpm2b(b: Uint8Array, what: string): void {
  if (b.length < 3 || ((b[0]! << 8) | b[1]!) !== b.length - 2) {
    throw new AegisError('ERR_INPUT_MALFORMED', `${what}: expected u16 size prefix || body`)
  }
}
