/**
 * TPM2_MakeCredential done by the collector in software (TPM 2.0 Part 1 §24 "Credential
 * Protection", Part 3 §12.6 TPM2_MakeCredential): wrap a secret so that only the TPM holding the
 * EK, and only for the object named `objectName` (the AK), can recover it with
 * TPM2_ActivateCredential.
 *   seed, encryptedSecret = share-secret.ts(EK, "IDENTITY")
 *   symKey     = KDFa(nameAlg, seed, "STORAGE", objectName, "", EK symmetric keyBits)
 *   encIdentity = AES-CFB(symKey, IV = 0, TPM2B_DIGEST(secret))  (the size field is encrypted too)
 *   hmacKey    = KDFa(nameAlg, seed, "INTEGRITY", "", "", digest bits)
 *   integrity  = HMAC_nameAlg(hmacKey, encIdentity || objectName)
 * where nameAlg is the EK's.
 *
 * Output form: both results are structure *bodies* without the outer u16 size:
 *   credentialBlob  = TPMS_ID_OBJECT = TPM2B_DIGEST(integrity) || encIdentity
 *   encryptedSecret = TPMU_ENCRYPTED_SECRET bytes (RSA: the OAEP block; ECC: TPMS_ECC_POINT)
 * TPM2_ActivateCredential's parameters are TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET, so the
 * agent prefixes each with its u16 length (tpm2-tools' file form is u32 0xBADCC0DE, u32 1, then
 * those two TPM2Bs).
 * Refuses EKs that are not restricted decrypt keys, or have no symmetric algorithm, with
 * ERR_EK_ATTRIBUTES; every other failure (bad name, secret size, unsupported key) is
 * ERR_CREDENTIAL with the cause attached. Leaves out the EK certificate and policy checks (see
 * attest/enroll) and secret generation (the caller picks the secret).
 */
import { cfb } from '@noble/ciphers/aes.js'
import { ByteWriter } from '../bytes/writer.ts'
import { digestLength, hashAlgFromTpm } from '../crypto/hash.ts'
import { AegisError } from '../errors.ts'
import type { TpmPublic } from '../tpm/types.ts'
import { hmac } from '../crypto/hash.ts'
import { kdfa } from './kdfa.ts'
import { shareSecret, type RandomFn } from './share-secret.ts'

export interface MakeCredentialInput {
  ek: TpmPublic
  /** Name of the object to activate (the AK): nameAlg (u16) || digest. */
  objectName: Uint8Array
  /** At most the digest size of the EK's nameAlg. */
  secret: Uint8Array
  /** Randomness source; tests pass a deterministic one. Default: crypto.getRandomValues. */
  random?: RandomFn
}

export interface Credential {
  /** TPM2B_ID_OBJECT body (no outer size). */
  credentialBlob: Uint8Array
  /** TPM2B_ENCRYPTED_SECRET body (no outer size). */
  encryptedSecret: Uint8Array
}

function checkEk(ek: TpmPublic): number {
  const a = ek.attrs
  // Part 3 §12.6.1: the key must be a restricted decryption key (a storage key, like the EK).
  if (!a.restricted || !a.decrypt || a.sign) {
    throw new AegisError('ERR_EK_ATTRIBUTES', 'MakeCredential needs a restricted decryption key', {
      detail: { restricted: a.restricted, decrypt: a.decrypt, sign: a.sign },
    })
  }
  if (ek.symmetric.alg === 'null') {
    throw new AegisError(
      'ERR_EK_ATTRIBUTES',
      'MakeCredential needs a key with a symmetric algorithm',
    )
  }
  return ek.symmetric.keyBits
}

function checkName(name: Uint8Array): void {
  if (!(name instanceof Uint8Array) || name.length < 2) {
    throw new AegisError('ERR_CREDENTIAL', 'object name is too short')
  }
  const alg = hashAlgFromTpm((name[0]! << 8) | name[1]!)
  if (name.length !== 2 + digestLength(alg)) {
    throw new AegisError('ERR_CREDENTIAL', 'object name length does not match its hash algorithm')
  }
}

export function makeCredential(input: MakeCredentialInput): Credential {
  const { ek, objectName, secret } = input
  const keyBits = checkEk(ek)
  try {
    checkName(objectName)
    const hLen = digestLength(ek.nameAlg)
    if (!(secret instanceof Uint8Array) || secret.length === 0 || secret.length > hLen) {
      throw new AegisError('ERR_CREDENTIAL', `secret must be 1..${hLen} bytes for this EK`)
    }
    const { seed, encryptedSecret } = shareSecret(ek, 'IDENTITY', input.random)
    const symKey = kdfa(ek.nameAlg, seed, 'STORAGE', objectName, new Uint8Array(0), keyBits)
    const plain = new ByteWriter().sized(secret).finish()
    const encIdentity = cfb(symKey, new Uint8Array(16)).encrypt(plain)
    const hmacKey = kdfa(
      ek.nameAlg,
      seed,
      'INTEGRITY',
      new Uint8Array(0),
      new Uint8Array(0),
      hLen * 8,
    )
    const integrity = hmac(ek.nameAlg, hmacKey, encIdentity, objectName)
    const credentialBlob = new ByteWriter().sized(integrity).bytes(encIdentity).finish()
    return { credentialBlob, encryptedSecret }
  } catch (e) {
    if (e instanceof AegisError && e.code === 'ERR_CREDENTIAL') throw e
    throw new AegisError('ERR_CREDENTIAL', 'could not make the credential', { cause: e })
  }
}
