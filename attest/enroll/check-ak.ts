/**
 * Attestation key admission rules (DESIGN.md "Enrollment"): an AK must be a restricted signing
 * key that cannot leave its TPM, generated inside it. Algorithms: ECC P-256/P-384 with ECDSA, or
 * RSA >= 2048 with RSASSA/RSAPSS; nameAlg SHA-256 or SHA-384. A null key scheme is refused: a
 * restricted signing key must fix its scheme, or the TPM would sign with any scheme asked.
 */
import { AegisError } from '../errors.ts'
import type { TpmPublic } from '../tpm/types.ts'

export function checkAttestationKey(ak: TpmPublic): void {
  const a = ak.attrs
  const bad: string[] = []
  if (!a.fixedTPM) bad.push('fixedTPM')
  if (!a.fixedParent) bad.push('fixedParent')
  if (!a.sensitiveDataOrigin) bad.push('sensitiveDataOrigin')
  if (!a.restricted) bad.push('restricted')
  if (!a.sign) bad.push('sign')
  if (a.decrypt) bad.push('!decrypt')
  if (bad.length) {
    throw new AegisError('ERR_AK_ATTRIBUTES', `AK attributes not acceptable: ${bad.join(', ')}`, {
      detail: { required: bad },
    })
  }
  if (ak.nameAlg !== 'sha256' && ak.nameAlg !== 'sha384') {
    throw new AegisError('ERR_AK_ALGORITHM', `AK nameAlg ${ak.nameAlg} not allowed`)
  }
  if (ak.type === 'ecc') {
    if (ak.curve !== 'P-256' && ak.curve !== 'P-384') {
      throw new AegisError('ERR_AK_ALGORITHM', `AK curve ${ak.curve} not allowed`)
    }
    if (ak.scheme.scheme !== 'ecdsa')
      throw new AegisError('ERR_AK_ALGORITHM', 'ECC AK must use ECDSA')
  } else {
    if (ak.keyBits < 2048)
      throw new AegisError('ERR_AK_ALGORITHM', `RSA AK of ${ak.keyBits} bits is too small`)
    if (ak.scheme.scheme !== 'rsassa' && ak.scheme.scheme !== 'rsapss') {
      throw new AegisError('ERR_AK_ALGORITHM', 'RSA AK must use RSASSA or RSAPSS')
    }
  }
  if ('hashAlg' in ak.scheme && ak.scheme.hashAlg !== 'sha256' && ak.scheme.hashAlg !== 'sha384') {
    throw new AegisError('ERR_AK_ALGORITHM', `AK signing hash ${ak.scheme.hashAlg} not allowed`)
  }
}
