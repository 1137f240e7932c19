/**
 * TPM2_ActivateCredential done in software, for the soft TPM (a software TPM stand-in for load
 * generation only): recover the seed with the RSA EK's private key (RSA-OAEP, label
 * "IDENTITY\0", the EK's nameAlg), check the outer HMAC (KDFa "INTEGRITY"), decrypt the identity
 * with AES-CFB and a zero IV (KDFa "STORAGE" over the object's Name), and return the credential
 * inside its TPM2B_DIGEST. KDFa and HMAC are attest/credential's; RSA-OAEP is WebCrypto's.
 * Inputs are the TPM2B bodies (no outer u16 size), as attest's makeCredential returns them.
 * Leaves out ECC EKs (ECDH + KDFe seeds) and the TPM's policy session for the EK.
 * Follows TPM 2.0 Part 1 §24.4-24.5 (credential protection), Part 3 §12.5 ActivateCredential.
 */
import { cfb } from '@noble/ciphers/aes.js'
import { constantTimeEqual } from '../../attest/bytes/encoding.ts'
import { ByteReader } from '../../attest/bytes/reader.ts'
import { hmac } from '../../attest/crypto/hash.ts'
import { kdfa, kdfLabel } from '../../attest/credential/kdfa.ts'
import { digestLength } from '../../attest/crypto/hash.ts'
import { AegisError } from '../../attest/errors.ts'
import type { RsaPublic } from '../../attest/tpm/types.ts'

export interface SoftActivateInput {
  ek: RsaPublic
  /** The EK's RSA-OAEP private key (WebCrypto, hash = the EK's nameAlg). */
  ekPrivate: CryptoKey
  /** Name of the object the credential was made for (the AK). */
  objectName: Uint8Array
  /** TPMS_ID_OBJECT: TPM2B_DIGEST(integrity) || encIdentity. */
  credentialBlob: Uint8Array
  /** The RSA-OAEP block (TPMU_ENCRYPTED_SECRET). */
  encryptedSecret: Uint8Array
}

export async function softActivateCredential(i: SoftActivateInput): Promise<Uint8Array> {
  const { ek } = i
  if (ek.symmetric.alg !== 'aes')
    throw new AegisError('ERR_EK_ATTRIBUTES', 'EK has no AES parameters')
  let seed: Uint8Array
  try {
    seed = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'RSA-OAEP', label: new Uint8Array(kdfLabel('IDENTITY')) },
        i.ekPrivate,
        new Uint8Array(i.encryptedSecret),
      ),
    )
  } catch (e) {
    // A TPM answers TPM_RC_VALUE for a seed it cannot decrypt.
    throw new AegisError('ERR_CREDENTIAL', 'encrypted secret does not decrypt under this EK', {
      cause: e,
    })
  }
  const alg = ek.nameAlg
  const r = new ByteReader(i.credentialBlob)
  const integrity = r.sized()
  const encIdentity = r.bytes(r.remaining)
  const hmacKey = kdfa(
    alg,
    seed,
    'INTEGRITY',
    new Uint8Array(0),
    new Uint8Array(0),
    digestLength(alg) * 8,
  )
  // Checked before decrypting, as the TPM does (TPM_RC_INTEGRITY): a blob for another AK fails here.
  if (!constantTimeEqual(hmac(alg, hmacKey, encIdentity, i.objectName), integrity)) {
    throw new AegisError('ERR_CREDENTIAL', 'credential integrity check failed')
  }
  const symKey = kdfa(alg, seed, 'STORAGE', i.objectName, new Uint8Array(0), ek.symmetric.keyBits)
  const plain = cfb(symKey, new Uint8Array(16)).decrypt(encIdentity)
  const pr = new ByteReader(plain)
  const secret = pr.sized()
  pr.end()
  return secret
}
