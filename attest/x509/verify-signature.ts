/**
 * Verifies that `issuerKey` signed `cert` (RFC 5280 §6.1.3 (a)(1)): RSASSA-PKCS1-v1_5 and
 * RSASSA-PSS (RFC 4055) with RSA >= 2048 bits, ECDSA on P-256/P-384/P-521 (RFC 5758), each with
 * SHA-256/384/512. SHA-1 signatures are refused with ERR_SIG_HASH_NOT_ALLOWED (collisions are
 * practical, SHAttered 2017). A signature that does not verify, a malformed ECDSA-Sig-Value, an
 * unsupported algorithm or a key of the wrong type is ERR_CERT_SIGNATURE; an unusable issuer key
 * keeps its crypto code (ERR_KEY_INVALID / ERR_KEY_UNSUPPORTED).
 */
import type { EcdsaBackend } from '../crypto/ecdsa-backend.ts'
import { verifyEcdsa, parseDerEcdsaSignature } from '../crypto/ecdsa.ts'
import { digest } from '../crypto/hash.ts'
import { verifyRsaPkcs1v15, verifyRsaPss } from '../crypto/rsa.ts'
import { AegisError } from '../errors.ts'
import type { CertPublicKey, Certificate } from './types.ts'

function fail(cert: Certificate, why: string, cause?: unknown): AegisError {
  return new AegisError('ERR_CERT_SIGNATURE', `certificate "${cert.subject}": ${why}`, {
    ...(cause === undefined ? {} : { cause }),
    detail: { subject: cert.subject, serial: cert.serial },
  })
}

export function verifyCertificateSignature(
  cert: Certificate,
  issuerKey: CertPublicKey,
  ecdsa?: EcdsaBackend,
): void {
  const alg = cert.signatureAlgorithm
  if (alg.kind === 'other') throw fail(cert, `unsupported signature algorithm ${alg.name}`)
  if (alg.hash === 'sha1') {
    throw new AegisError(
      'ERR_SIG_HASH_NOT_ALLOWED',
      `certificate "${cert.subject}" is signed with SHA-1`,
      {
        detail: { subject: cert.subject, serial: cert.serial },
      },
    )
  }
  const h = digest(alg.hash, cert.tbs)
  let ok: boolean
  if (alg.kind === 'ecdsa') {
    if (issuerKey.type !== 'ec') throw fail(cert, 'ECDSA signature but the issuer key is not EC')
    let rs
    try {
      rs = parseDerEcdsaSignature(cert.signature)
    } catch (e) {
      throw fail(cert, 'malformed ECDSA signature', e)
    }
    ok = verifyEcdsa(issuerKey.curve, issuerKey, h, rs, ecdsa)
  } else {
    if (issuerKey.type !== 'rsa') throw fail(cert, 'RSA signature but the issuer key is not RSA')
    ok =
      alg.kind === 'rsa-pss'
        ? verifyRsaPss(issuerKey, alg.hash, h, cert.signature, { saltLength: alg.saltLength })
        : verifyRsaPkcs1v15(issuerKey, alg.hash, h, cert.signature)
  }
  if (!ok) throw fail(cert, 'signature does not verify')
}
