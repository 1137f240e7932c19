/**
 * Endorsement key shape (TCG EK Credential Profile 2.x §2.1.5): a restricted decryption storage
 * key, fixed to its TPM, with symmetric parameters (needed for credential activation).
 */
import { AegisError } from '../errors.ts'
import type { TpmPublic } from '../tpm/types.ts'

export function checkEndorsementKey(ek: TpmPublic): void {
  const a = ek.attrs
  const bad: string[] = []
  if (!a.fixedTPM) bad.push('fixedTPM')
  if (!a.fixedParent) bad.push('fixedParent')
  if (!a.restricted) bad.push('restricted')
  if (!a.decrypt) bad.push('decrypt')
  if (a.sign) bad.push('!sign')
  if (ek.symmetric.alg === 'null') bad.push('symmetric')
  if (bad.length) {
    throw new AegisError('ERR_EK_ATTRIBUTES', `EK attributes not acceptable: ${bad.join(', ')}`, {
      detail: { required: bad },
    })
  }
  if (ek.type === 'rsa' && ek.keyBits < 2048) {
    throw new AegisError('ERR_EK_ATTRIBUTES', `RSA EK of ${ek.keyBits} bits is too small`)
  }
}
