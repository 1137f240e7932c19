/**
 * Secret sharing with a TPM decrypt key: make a seed only that key's TPM can recover, and the
 * TPM2B_ENCRYPTED_SECRET body that carries it (TPM 2.0 Part 1 §24.4 and Annex B.10.3 / C.6.4;
 * Part 2 §11.4.33 TPMU_ENCRYPTED_SECRET).
 *   RSA: seed = random(digest size of nameAlg); body = RSAES-OAEP(nameAlg, label "<label>\0").
 *   ECC: one-pass ECDH with an ephemeral key on the key's curve; Z = x of d_e * Q;
 *        seed = KDFe(nameAlg, Z, label, x_e, x_Q, digest bits); body = TPMS_ECC_POINT(Q_e).
 * Both use the key's nameAlg, never its scheme: a restricted decrypt key (the only kind that
 * ActivateCredential accepts) has a null scheme. Coordinates are marshalled at full curve size,
 * as the TPM produces them. The derandomized forms take the ephemeral values so known-answer
 * tests can drive them. NIST P-256, P-384 and P-521 (EK templates L-2, H-2, H-3, H-4); leaves out
 * SM2 and BN curves.
 */
import { p256, p384, p521 } from '@noble/curves/nist.js'
import { concat } from '../bytes/encoding.ts'
import { ByteWriter } from '../bytes/writer.ts'
import { digestLength } from '../crypto/hash.ts'
import { rsaOaepEncrypt } from '../crypto/rsa-oaep.ts'
import { AegisError } from '../errors.ts'
import type { EccPublic, RsaPublic, TpmPublic } from '../tpm/types.ts'
import { kdfLabel } from './kdfa.ts'
import { kdfe } from './kdfe.ts'

export interface SharedSecret {
  seed: Uint8Array
  /** TPM2B_ENCRYPTED_SECRET body (no u16 size). */
  encryptedSecret: Uint8Array
}

export type RandomFn = (n: number) => Uint8Array

const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const

function curveOf(key: EccPublic): (typeof CURVES)[keyof typeof CURVES] {
  if (!Object.hasOwn(CURVES, key.curve)) {
    throw new AegisError('ERR_KEY_UNSUPPORTED', `secret sharing: unsupported curve ${key.curve}`)
  }
  return CURVES[key.curve as keyof typeof CURVES]
}

/** RSA secret sharing with a chosen seed and OAEP seed (Part 1 Annex B.10.3). */
export function shareSecretRsa(
  key: RsaPublic,
  label: string,
  seed: Uint8Array,
  oaepSeed?: Uint8Array,
): SharedSecret {
  const encryptedSecret = rsaOaepEncrypt(
    { n: key.modulus, e: key.exponent },
    key.nameAlg,
    kdfLabel(label),
    seed,
    oaepSeed,
  )
  return { seed, encryptedSecret }
}

/** ECC secret sharing with a chosen ephemeral private key (Part 1 Annex C.6.4). */
export function shareSecretEcc(
  key: EccPublic,
  label: string,
  ephemeralPrivate: Uint8Array,
): SharedSecret {
  const curve = curveOf(key)
  const size = curve.lengths.secretKey!
  let z: Uint8Array
  let qe: Uint8Array
  try {
    // getSharedSecret validates Q is on the curve; the compressed form is 0x02/0x03 || x.
    z = curve
      .getSharedSecret(ephemeralPrivate, concat(Uint8Array.of(4), key.x, key.y), true)
      .slice(1)
    qe = curve.getPublicKey(ephemeralPrivate, false)
  } catch (e) {
    throw new AegisError('ERR_KEY_INVALID', 'secret sharing: ECDH with the key failed', {
      cause: e,
    })
  }
  const xe = qe.slice(1, 1 + size)
  const ye = qe.slice(1 + size)
  const seed = kdfe(key.nameAlg, z, label, xe, key.x, digestLength(key.nameAlg) * 8)
  return { seed, encryptedSecret: new ByteWriter().sized(xe).sized(ye).finish() }
}

function take(random: RandomFn, n: number): Uint8Array {
  const b = random(n)
  if (!(b instanceof Uint8Array) || b.length !== n) {
    throw new AegisError('ERR_INTERNAL', `random source returned the wrong number of bytes`)
  }
  return b
}

/** Secret sharing with fresh randomness from `random` (default: crypto.getRandomValues). */
export function shareSecret(
  key: TpmPublic,
  label: string,
  random: RandomFn = (n) => crypto.getRandomValues(new Uint8Array(n)),
): SharedSecret {
  if (key.type === 'rsa') {
    const hLen = digestLength(key.nameAlg)
    return shareSecretRsa(key, label, take(random, hLen), take(random, hLen))
  }
  const curve = curveOf(key)
  // ~1.5x the order's size, reduced mod n-1 and shifted off zero: negligible bias (FIPS 186-5 A.2.1).
  const d = curve.utils.randomSecretKey(take(random, curve.lengths.seed!))
  return shareSecretEcc(key, label, d)
}
