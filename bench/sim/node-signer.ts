/**
 * The bench's quote signer: node:crypto instead of @noble/curves (about 0.02 vs 0.41 ms per
 * signature here), so the load generator takes less of the two cores it shares with the collector
 * it measures. Random per-signature nonces and, as a real TPM's, S not normalized to low S.
 * Node only: the workerd tests that share the soft TPM keep the portable default.
 */
import { createPrivateKey, sign } from 'node:crypto'
import { toB64url } from '../../attest/bytes/encoding.ts'
import type { EccPublic } from '../../attest/tpm/types.ts'
import type { QuoteSigner } from './soft-quote.ts'

export function nodeQuoteSigner(ak: EccPublic, akPrivate: Uint8Array): QuoteSigner {
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    d: toB64url(akPrivate),
    x: toB64url(ak.x),
    y: toB64url(ak.y),
  }
  const key = createPrivateKey({ format: 'jwk', key: jwk })
  return (attest, hashAlg) =>
    sign(hashAlg, attest, { key, dsaEncoding: 'ieee-p1363' }) as Uint8Array
}
