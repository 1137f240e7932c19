/**
 * Verifies a TPMT_SIGNATURE by a TPM key over a message (typically TPMS_ATTEST bytes): the
 * signature's scheme must suit the key type (ECDSA <-> ECC, RSASSA/RSAPSS <-> RSA) and equal the
 * key's own scheme when that is not null (a TPM signs only with it, Part 3 §20.2), its hash must be
 * allowed (SHA-1 is not by default), RSA signatures must be modulus-sized, then the message is
 * hashed with the signature's hash and checked. A bad signature throws the caller's code, so quote
 * and certify checks report their own. Leaves out key attributes (restricted, sign): the callers
 * that need them check them.
 * Follows TPM 2.0 Part 1 §11.4.6 (signing schemes), RFC 8017 §8.1-8.2, SEC 1 §4.1.4.
 */
import { AegisError, type ErrorCode } from '../errors.ts'
import type { HashAlg, TpmPublic, TpmSignature } from '../tpm/types.ts'
import { ECC_CURVE_BYTES } from '../tpm/constants.ts'
import type { EcdsaBackend } from './ecdsa-backend.ts'
import { verifyEcdsa } from './ecdsa.ts'
import { digest } from './hash.ts'
import { verifyRsaPkcs1v15, verifyRsaPss } from './rsa.ts'

export const DEFAULT_ALLOWED_HASHES: readonly HashAlg[] = ['sha256', 'sha384', 'sha512']

export interface VerifyTpmSignatureOptions {
  /** Hashes accepted in the signature; default SHA-256/384/512. */
  allowedHashes?: readonly HashAlg[]
  /** Code thrown when the signature does not verify; default ERR_SIG_INVALID. */
  invalidCode?: ErrorCode
  /** ECDSA implementation; default the noble reference. */
  ecdsa?: EcdsaBackend
}

export function verifyTpmSignature(
  key: TpmPublic,
  message: Uint8Array,
  sig: TpmSignature,
  opts: VerifyTpmSignatureOptions = {},
): void {
  const keyFits = sig.sigAlg === 'ecdsa' ? key.type === 'ecc' : key.type === 'rsa'
  if (!keyFits) {
    throw new AegisError(
      'ERR_SIG_SCHEME_MISMATCH',
      `${sig.sigAlg} signature from a ${key.type} key`,
    )
  }
  const ks = key.scheme
  if (ks.scheme !== 'null' && (ks.scheme !== sig.sigAlg || ks.hashAlg !== sig.hashAlg)) {
    throw new AegisError(
      'ERR_SIG_SCHEME_MISMATCH',
      'signature scheme differs from the key scheme',
      {
        detail: { key: ks.scheme, signature: sig.sigAlg, hashAlg: sig.hashAlg },
      },
    )
  }
  const allowed = opts.allowedHashes ?? DEFAULT_ALLOWED_HASHES
  if (!allowed.includes(sig.hashAlg)) {
    throw new AegisError('ERR_SIG_HASH_NOT_ALLOWED', `${sig.hashAlg} signatures are not accepted`, {
      detail: { hashAlg: sig.hashAlg },
    })
  }

  let ok: boolean
  if (sig.sigAlg === 'ecdsa' && key.type === 'ecc') {
    const size = ECC_CURVE_BYTES[key.curve]
    if (!sig.r.length || !sig.s.length || sig.r.length > size || sig.s.length > size) {
      throw new AegisError('ERR_SIG_MALFORMED', `ECDSA r/s are not ${key.curve} field elements`)
    }
    ok = verifyEcdsa(key.curve, key, digest(sig.hashAlg, message), sig, opts.ecdsa)
  } else if (sig.sigAlg !== 'ecdsa' && key.type === 'rsa') {
    if (sig.sig.length !== key.modulus.length) {
      throw new AegisError('ERR_SIG_MALFORMED', 'RSA signature length differs from the modulus')
    }
    const pub = { n: key.modulus, e: key.exponent }
    const h = digest(sig.hashAlg, message)
    ok =
      sig.sigAlg === 'rsassa'
        ? verifyRsaPkcs1v15(pub, sig.hashAlg, h, sig.sig)
        : verifyRsaPss(pub, sig.hashAlg, h, sig.sig)
  } else {
    // Unreachable after the key-type check; kept so the compiler sees every pairing handled.
    throw new AegisError('ERR_SIG_SCHEME_MISMATCH', 'signature does not fit the key')
  }
  if (!ok) throw new AegisError(opts.invalidCode ?? 'ERR_SIG_INVALID', 'signature does not verify')
}
