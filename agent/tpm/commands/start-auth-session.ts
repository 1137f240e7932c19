/**
 * TPM2_StartAuthSession (TPM 2.0 Part 3 §11.1) for an unbound, unsalted policy session with no
 * parameter encryption, whose policy digest uses `hashAlg` (SHA-256 or SHA-384 EK policies).
 * nonceCaller is random and as long as the session's digest (Part 1 §19.6.4 needs >= 16 bytes).
 * The handle must be flushed. Leaves out HMAC/trial sessions, salting, binding, symmetric modes.
 */
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import { digestLength, tpmAlgOfHash } from '../../../attest/crypto/hash.ts'
import { TPM_ALG } from '../../../attest/tpm/constants.ts'
import type { HashAlg } from '../../../attest/tpm/types.ts'
import { TPM_CC, TPM_SE_POLICY } from '../constants.ts'
import { TPM_RH } from '../../../attest/tpm/constants.ts'
import type { TpmExecutor } from '../framing/command-types.ts'

export async function startPolicySession(
  tpm: TpmExecutor,
  hashAlg: HashAlg,
): Promise<{ handle: number; nonceTpm: Uint8Array }> {
  const nonceCaller = crypto.getRandomValues(new Uint8Array(digestLength(hashAlg)))
  const res = await tpm.execute({
    code: TPM_CC.StartAuthSession,
    handles: [TPM_RH.NULL, TPM_RH.NULL], // tpmKey (no salt), bind (unbound)
    params: new ByteWriter()
      .sized(nonceCaller)
      .sized(new Uint8Array(0)) // encryptedSalt
      .u8(TPM_SE_POLICY)
      .u16(TPM_ALG.NULL) // symmetric: no parameter encryption
      .u16(tpmAlgOfHash(hashAlg))
      .finish(),
    responseHandles: 1,
  })
  const nonceTpm = res.params.sized().slice()
  res.params.end()
  return { handle: res.handles[0]!, nonceTpm }
}
