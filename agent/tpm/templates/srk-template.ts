/**
 * The storage root key template: ECC NIST P-256, AES-128-CFB, restricted decrypt, noDA, empty
 * authValue and policy, unique = two 32-byte zero coordinates, as in the TCG TPM v2.0
 * Provisioning Guidance (SRK template). ECC keeps CreatePrimary fast on every TPM.
 * Leaves out the RSA-2048 SRK variant.
 */
import { TPMA_OBJECT as A } from '../../../attest/tpm/constants.ts'
import { template, type Template } from './template.ts'

export const SRK_ECC_P256: Template = template({
  type: 'ecc',
  nameAlg: 'sha256',
  attributes:
    A.fixedTPM |
    A.fixedParent |
    A.sensitiveDataOrigin |
    A.userWithAuth |
    A.noDA |
    A.restricted |
    A.decrypt,
  authPolicy: new Uint8Array(0),
  symmetric: { alg: 'aes', keyBits: 128, mode: 'cfb' },
  scheme: { scheme: 'null' },
  curve: 'P-256',
  kdf: { scheme: 'null' },
  x: new Uint8Array(32),
  y: new Uint8Array(32),
})
