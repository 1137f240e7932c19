/**
 * Attestation key templates: a restricted signing key (fixedTPM, fixedParent,
 * sensitiveDataOrigin, userWithAuth, restricted, sign; 0x00050072) with an empty authValue and
 * policy, ECC P-256 ECDSA-SHA256 (default) or RSA-2048 RSASSA-SHA256. The same attributes as
 * tpm2_createak makes. The key has no authValue, so dictionary-attack protection (noDA) is moot.
 * Leaves out RSAPSS, P-384 and SHA-384 AKs (the collector accepts them; the agent does not make
 * them yet).
 */
import { TPMA_OBJECT as A } from '../../../attest/tpm/constants.ts'
import { template, type Template } from './template.ts'

export type AkAlg = 'ecc' | 'rsa'

const AK_ATTRS =
  A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.userWithAuth | A.restricted | A.sign

export const AK_TEMPLATES: Record<AkAlg, Template> = {
  ecc: template({
    type: 'ecc',
    nameAlg: 'sha256',
    attributes: AK_ATTRS,
    authPolicy: new Uint8Array(0),
    symmetric: { alg: 'null' },
    scheme: { scheme: 'ecdsa', hashAlg: 'sha256' },
    curve: 'P-256',
    kdf: { scheme: 'null' },
    x: new Uint8Array(0),
    y: new Uint8Array(0),
  }),
  rsa: template({
    type: 'rsa',
    nameAlg: 'sha256',
    attributes: AK_ATTRS,
    authPolicy: new Uint8Array(0),
    symmetric: { alg: 'null' },
    scheme: { scheme: 'rsassa', hashAlg: 'sha256' },
    keyBits: 2048,
    exponent: 65537,
    modulus: new Uint8Array(0),
  }),
}
