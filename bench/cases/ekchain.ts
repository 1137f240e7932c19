/**
 * EK certificate benchmarks on the swtpm vectors (shared/vectors/tpm2-tools): each iteration does
 * what enrollment does with an EK certificate read from NV: strip padding, parse it, build and
 * verify the chain to the manufacturer root (two RSA-3072 PKCS#1 v1.5 signatures: EK cert by the
 * intermediate, intermediate by the root), parse the EK's TPM2B_PUBLIC and check it is the
 * certified key. The manufacturer CA certificates are configuration, parsed once in setup.
 * Runtime neutral: vectors come in as `?bytes` imports, so the cases run in workerd.
 */
import ekEccCert from '@shared/vectors/tpm2-tools/ek-ecc-cert.der?bytes'
import ekEccPub from '@shared/vectors/tpm2-tools/ek-ecc.pub?bytes'
import ekRsaCert from '@shared/vectors/tpm2-tools/ek-rsa-cert.der?bytes'
import ekRsaPub from '@shared/vectors/tpm2-tools/ek-rsa.pub?bytes'
import intermediatePem from '@shared/vectors/tpm2-tools/manufacturer-intermediate.pem?bytes'
import rootPem from '@shared/vectors/tpm2-tools/manufacturer-root.pem?bytes'
import { fromUtf8 } from '../../attest/bytes/encoding.ts'
import { parseTpm2bPublic } from '../../attest/tpm/public.ts'
import { stripEkCertPadding } from '../../attest/x509/ek-cert-padding.ts'
import { assertEkCertMatches } from '../../attest/x509/ek-match.ts'
import { parseCertificate } from '../../attest/x509/parse-certificate.ts'
import { parsePemBundle } from '../../attest/x509/pem.ts'
import type { Certificate } from '../../attest/x509/types.ts'
import { verifyChain } from '../../attest/x509/verify-chain.ts'
import type { BenchCase } from '../types.ts'

interface EkChainCtx {
  nv: Uint8Array
  ekPub: Uint8Array
  roots: Certificate[]
  intermediates: Certificate[]
  at: Date
}

/** Inside the swtpm chain's validity (2026-11-22 to 9999-12-31). */
const AT = new Date('2030-01-01T00:00:00Z')

function ekChainCase(name: string, cert: Uint8Array, ekPub: Uint8Array): BenchCase<EkChainCtx> {
  return {
    name,
    iterations: 200,
    warmup: 20,
    setup: () => ({
      nv: cert,
      ekPub,
      roots: parsePemBundle(fromUtf8(rootPem)).map(parseCertificate),
      intermediates: parsePemBundle(fromUtf8(intermediatePem)).map(parseCertificate),
      at: AT,
    }),
    run: (c) => {
      const cert = parseCertificate(stripEkCertPadding(c.nv))
      const { chain } = verifyChain(cert, {
        roots: c.roots,
        intermediates: c.intermediates,
        at: c.at,
      })
      assertEkCertMatches(cert, parseTpm2bPublic(c.ekPub))
      return chain
    },
  }
}

export const cases: BenchCase[] = [
  ekChainCase('verify.ekchain.rsa', ekRsaCert, ekRsaPub),
  ekChainCase('verify.ekchain.ecc', ekEccCert, ekEccPub),
  // Each case is typed by its own context; the list erases it, as bench/run.mjs treats them alike.
] as BenchCase[]
