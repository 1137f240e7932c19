/**
 * The pcrDigest a TPM puts in TPMS_QUOTE_INFO: H(value of each selected PCR, concatenated bank by
 * bank in selection order, PCR index ascending within a bank). H is the quote's signing-scheme
 * hash, not the AK's nameAlg: TPM2_Quote digests the PCRs with inScheme's hashAlg (Part 3 §18.4.1;
 * tpm2_checkquote likewise hashes the PCR file with its -g algorithm).
 * Leaves out checking that the values are genuine: verify-quote.ts compares the result.
 * Follows TPM 2.0 Part 3 §18.4 TPM2_Quote, Part 2 §10.12.8 TPMS_QUOTE_INFO.
 */
import { AegisError } from '../errors.ts'
import { concat } from '../bytes/encoding.ts'
import { digest, digestLength } from '../crypto/hash.ts'
import type { HashAlg, PcrSelection, PcrValues } from '../tpm/types.ts'

export function computePcrDigest(
  hashAlg: HashAlg,
  selection: readonly PcrSelection[],
  values: PcrValues,
): Uint8Array {
  const parts: Uint8Array[] = []
  for (const s of selection) {
    for (const pcr of s.pcrs) {
      const v = values[s.hashAlg]?.[pcr]
      if (!v) {
        throw new AegisError('ERR_PCR_MISSING', `${s.hashAlg} PCR ${pcr} not supplied`, {
          detail: { bank: s.hashAlg, pcr },
        })
      }
      if (!(v instanceof Uint8Array) || v.length !== digestLength(s.hashAlg)) {
        throw new AegisError(
          'ERR_PCR_DIGEST',
          `${s.hashAlg} PCR ${pcr} is not a ${s.hashAlg} digest`,
          {
            detail: { bank: s.hashAlg, pcr },
          },
        )
      }
      parts.push(v)
    }
  }
  return digest(hashAlg, concat(...parts))
}
