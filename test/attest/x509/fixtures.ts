/**
 * Certificates for the X.509 tests, imported as bytes so they load inside workerd.
 * shared/vectors/tpm2-tools: the swtpm 0.7.1 "manufacturer" chain (swtpm-localca root and
 * intermediate, RSA-3072, sha256WithRSAEncryption) and the EK certificates swtpm_setup wrote to
 * NV (RSA-2048 and P-384 EKs), with the matching TPM2B_PUBLIC areas (see its manifest.json).
 * test/vectors/x509/chains: OpenSSL-made chains for the other algorithms and the constraint
 * violations (see make.sh there for what each one is and how it was made).
 */
import ekRsaCertDer from '@shared/vectors/tpm2-tools/ek-rsa-cert.der?bytes'
import ekEccCertDer from '@shared/vectors/tpm2-tools/ek-ecc-cert.der?bytes'
import ekRsaPub from '@shared/vectors/tpm2-tools/ek-rsa.pub?bytes'
import ekEccPub from '@shared/vectors/tpm2-tools/ek-ecc.pub?bytes'
import rootPem from '@shared/vectors/tpm2-tools/manufacturer-root.pem?bytes'
import intermediatePem from '@shared/vectors/tpm2-tools/manufacturer-intermediate.pem?bytes'
import ecRoot from '../../vectors/x509/chains/ec-root.der?bytes'
import ecInter from '../../vectors/x509/chains/ec-inter.der?bytes'
import ecLeaf from '../../vectors/x509/chains/ec-leaf.der?bytes'
import ecInter2 from '../../vectors/x509/chains/ec-inter2.der?bytes'
import ecLeaf2 from '../../vectors/x509/chains/ec-leaf2.der?bytes'
import ecCritical from '../../vectors/x509/chains/ec-critical.der?bytes'
import impostor from '../../vectors/x509/chains/impostor.der?bytes'
import rsaRoot from '../../vectors/x509/chains/rsa-root.der?bytes'
import pssLeaf from '../../vectors/x509/chains/pss-leaf.der?bytes'
import pss384Leaf from '../../vectors/x509/chains/pss384-leaf.der?bytes'
import sha1Leaf from '../../vectors/x509/chains/sha1-leaf.der?bytes'
import notcaInter from '../../vectors/x509/chains/notca-inter.der?bytes'
import notcaLeaf from '../../vectors/x509/chains/notca-leaf.der?bytes'
import nokcsInter from '../../vectors/x509/chains/nokcs-inter.der?bytes'
import nokcsLeaf from '../../vectors/x509/chains/nokcs-leaf.der?bytes'
import { fromUtf8 } from '../../../attest/bytes/encoding.ts'

export const swtpm = {
  ekRsaCertDer,
  ekEccCertDer,
  ekRsaPub,
  ekEccPub,
  rootPem: fromUtf8(rootPem),
  intermediatePem: fromUtf8(intermediatePem),
}

export const chains = {
  ecRoot,
  ecInter,
  ecLeaf,
  ecInter2,
  ecLeaf2,
  ecCritical,
  impostor,
  rsaRoot,
  pssLeaf,
  pss384Leaf,
  sha1Leaf,
  notcaInter,
  notcaLeaf,
  nokcsInter,
  nokcsLeaf,
}

/** Inside every certificate's validity: swtpm's chain starts 2026-11-22, ec-inter ends 2036. */
export const AT = new Date('2030-06-01T00:00:00Z')

export { code as codeOf } from '../../helpers/error-code.ts'
