/**
 * TPM2_PCR_Extend (TPM 2.0 Part 3 §22.2): PCR[i] := H(PCR[i] || digest) in each bank given.
 * PCRs 0..15 and 23 are extendable at locality 0 with an empty authValue (PC Client profile).
 * Leaves out TPM2_PCR_Event (the TPM hashing the data itself).
 */
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import { digestLength, tpmAlgOfHash } from '../../../attest/crypto/hash.ts'
import { AegisError } from '../../../attest/errors.ts'
import type { HashAlg } from '../../../attest/tpm/types.ts'
import { TPM_CC } from '../constants.ts'
import { PASSWORD, type TpmExecutor } from '../framing/command-types.ts'

export async function pcrExtend(
  tpm: TpmExecutor,
  index: number,
  digests: readonly { hashAlg: HashAlg; digest: Uint8Array }[],
): Promise<void> {
  if (!Number.isInteger(index) || index < 0 || index > 31) {
    throw new AegisError('ERR_CONFIG', `PCR index ${index} out of range`)
  }
  // TPML_DIGEST_VALUES of TPMT_HA: the digest has no size prefix, its length follows from hashAlg.
  const w = new ByteWriter().u32(digests.length)
  for (const d of digests) {
    if (d.digest.length !== digestLength(d.hashAlg)) {
      throw new AegisError(
        'ERR_INPUT_MALFORMED',
        `a ${d.hashAlg} digest is ${digestLength(d.hashAlg)} bytes`,
      )
    }
    w.u16(tpmAlgOfHash(d.hashAlg)).bytes(d.digest)
  }
  const res = await tpm.execute({
    code: TPM_CC.PCR_Extend,
    handles: [index],
    auths: [PASSWORD],
    params: w.finish(),
  })
  res.params.end()
}
