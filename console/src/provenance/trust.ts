/**
 * Trust roots for re-verifying a bundle in the browser, from PEM text (pasted, uploaded, or the
 * collector's own configuration for an operator): every certificate is parsed with the same
 * attest/x509 code the CLI uses and split into roots (self-issued) and intermediates, as
 * agent/cli/trust-material.ts does for files. Throws AegisError ERR_TRUST_ROOTS when no
 * certificate or no self-issued one is found.
 */
import { bytesEqual } from '../../../attest/bytes/encoding.ts'
import { AegisError } from '../../../attest/errors.ts'
import { parseCertificate } from '../../../attest/x509/parse-certificate.ts'
import { parsePemBundle } from '../../../attest/x509/pem.ts'
import type { Certificate } from '../../../attest/x509/types.ts'

export interface Trust {
  roots: Certificate[]
  intermediates: Certificate[]
}

export function trustFromPem(texts: string[]): Trust {
  const certs: Certificate[] = []
  for (const t of texts) {
    if (!t.trim()) continue
    try {
      certs.push(...parsePemBundle(t).map((d) => parseCertificate(d)))
    } catch (cause) {
      throw new AegisError('ERR_TRUST_ROOTS', 'the PEM text does not hold certificates', { cause })
    }
  }
  if (certs.length === 0) throw new AegisError('ERR_TRUST_ROOTS', 'no certificates given')
  const self = (c: Certificate) => bytesEqual(c.subjectRaw, c.issuerRaw)
  const roots = certs.filter(self)
  if (roots.length === 0)
    throw new AegisError('ERR_TRUST_ROOTS', 'no self-issued (root) certificate given')
  return { roots, intermediates: certs.filter((c) => !self(c)) }
}
