/**
 * Strict parser for TPMT_SIGNATURE (tpm2-tools' default "tss" signature format): RSASSA, RSAPSS
 * and ECDSA, no trailing bytes. Other signature algorithms (HMAC, ECDAA, SM2, ECSCHNORR, NULL) are
 * ERR_TPM_UNSUPPORTED_ALG. Sizes are only bounded here; verify-tpm-signature.ts matches them to
 * the key. Follows TPM 2.0 Part 2 §11.3.4 TPMT_SIGNATURE, §11.3.1 TPMS_SIGNATURE_RSA, §11.3.2
 * TPMS_SIGNATURE_ECC.
 */
import { AegisError } from '../errors.ts'
import { ByteReader } from '../bytes/reader.ts'
import { hashAlgFromTpm } from '../crypto/hash.ts'
import { MAX_ECC_KEY_BYTES, MAX_RSA_KEY_BYTES, TPM_ALG } from './constants.ts'
import type { TpmSignature } from './types.ts'

export function parseTpmtSignature(bytes: Uint8Array): TpmSignature {
  const r = new ByteReader(bytes, 'TPMT_SIGNATURE')
  const sig = readTpmtSignature(r)
  r.end()
  return sig
}

export function readTpmtSignature(r: ByteReader): TpmSignature {
  const alg = r.u16()
  if (alg === TPM_ALG.RSASSA || alg === TPM_ALG.RSAPSS) {
    const hashAlg = hashAlgFromTpm(r.u16())
    const sig = r.sized(MAX_RSA_KEY_BYTES).slice()
    return { sigAlg: alg === TPM_ALG.RSASSA ? 'rsassa' : 'rsapss', hashAlg, sig }
  }
  if (alg === TPM_ALG.ECDSA) {
    const hashAlg = hashAlgFromTpm(r.u16())
    const sigR = r.sized(MAX_ECC_KEY_BYTES).slice()
    const sigS = r.sized(MAX_ECC_KEY_BYTES).slice()
    return { sigAlg: 'ecdsa', hashAlg, r: sigR, s: sigS }
  }
  throw new AegisError(
    'ERR_TPM_UNSUPPORTED_ALG',
    `TPMT_SIGNATURE: algorithm 0x${alg.toString(16).padStart(4, '0')}`,
  )
}
