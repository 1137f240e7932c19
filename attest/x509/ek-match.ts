/**
 * Does an EK certificate certify the EK the TPM presented? RSA: same modulus (ignoring leading
 * zero bytes) and same exponent (the TPM's 0 already resolved to 65537 by the TPM parser). ECC:
 * same curve and the same x and y (as integers, so fixed-width and minimal encodings compare
 * equal). Any other combination is a mismatch. Follows TCG EK Credential Profile §3.2.7 (the
 * certificate's subjectPublicKeyInfo is the EK public key).
 */
import { bytesEqual } from '../bytes/encoding.ts'
import { AegisError } from '../errors.ts'
import type { TpmPublic } from '../tpm/types.ts'
import type { Certificate } from './types.ts'

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0
  while (i < b.length - 1 && b[i] === 0) i++
  return b.subarray(i)
}

function sameInteger(a: Uint8Array, b: Uint8Array): boolean {
  return bytesEqual(stripZeros(a), stripZeros(b))
}

export function ekCertMatchesPublic(cert: Certificate, ek: TpmPublic): boolean {
  const k = cert.publicKey
  if (ek.type === 'rsa' && k.type === 'rsa') {
    return sameInteger(k.n, ek.modulus) && k.e === BigInt(ek.exponent)
  }
  if (ek.type === 'ecc' && k.type === 'ec') {
    return k.curve === ek.curve && sameInteger(k.x, ek.x) && sameInteger(k.y, ek.y)
  }
  return false
}

export function assertEkCertMatches(cert: Certificate, ek: TpmPublic): void {
  if (!ekCertMatchesPublic(cert, ek)) {
    throw new AegisError('ERR_CERT_EK_MISMATCH', 'the EK certificate does not certify this EK', {
      detail: { serial: cert.serial, certKey: cert.publicKey.type, ekType: ek.type },
    })
  }
}
