/**
 * The storage root key the AK is created and loaded under: CreatePrimary in the owner hierarchy
 * from the SRK template, used, then flushed. The key is re-derived identically each time (same
 * seed, same template), so a wrapped AK made under it earlier loads again.
 * Leaves out a persistent SRK (0x81000001) and a non-empty ownerAuth.
 */
import { TPM_RH } from '../../attest/tpm/constants.ts'
import { SRK_ECC_P256 } from './templates/srk-template.ts'
import type { Tpm } from './tpm.ts'

export async function withSrk<T>(tpm: Tpm, fn: (srkHandle: number) => Promise<T>): Promise<T> {
  const srk = await tpm.createPrimary({ hierarchy: TPM_RH.OWNER, template: SRK_ECC_P256.bytes })
  return tpm.withFlushed(srk.handle, fn)
}
