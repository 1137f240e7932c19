/**
 * The endorsement key the collector encrypts credentials to: the persistent EK at the profile's
 * handle (0x81010001 RSA-2048 / 0x81010016 ECC P-384) if one is there, else the same key
 * re-derived by CreatePrimary from the profile template (then flushed: nothing stays loaded);
 * plus its certificate from NV (0x01c00002 / 0x01c00016) when provisioned.
 * A persistent object that does not match the profile template is ignored (the NV certificate
 * certifies the template's key, not whatever was persisted at the handle).
 * TCG EK Credential Profile for TPM Family 2.0 (templates L-1 and H-3, EK certificate NV indices).
 * Leaves out EK template/nonce NV indices and certificate chains beyond the EK certificate.
 */
import type { TpmPublic } from '../../attest/tpm/types.ts'
import { TPM_RH } from './constants.ts'
import { readNvIndex } from './read-nv.ts'
import { readPersistent } from './read-persistent.ts'
import { EK_PROFILES, type EkKind } from './templates/ek-templates.ts'
import { matchesTemplate } from './templates/template.ts'
import type { Tpm } from './tpm.ts'

export type { EkKind } from './templates/ek-templates.ts'

export interface EndorsementKey {
  kind: EkKind
  /** The persistent handle, or undefined when the EK is not persistent (re-created on use). */
  handle: number | undefined
  /** TPM2B_PUBLIC (u16 size || TPMT_PUBLIC), as the collector's /v1/enroll takes it. */
  public: Uint8Array
  pub: TpmPublic
  /** nameAlg || H(TPMT_PUBLIC). */
  name: Uint8Array
  /** NV contents as stored (DER, maybe padded); undefined if no certificate is provisioned. */
  cert: Uint8Array | undefined
}

export async function getEndorsementKey(tpm: Tpm, kind: EkKind): Promise<EndorsementKey> {
  const profile = EK_PROFILES[kind]
  const persistent = await readPersistent(tpm, profile.persistentHandle)
  let handle: number | undefined = profile.persistentHandle
  let found: { public: Uint8Array; pub: TpmPublic; name: Uint8Array }
  if (persistent && matchesTemplate(persistent.pub, profile.template)) {
    found = persistent
  } else {
    handle = undefined
    const created = await tpm.createPrimary({
      hierarchy: TPM_RH.ENDORSEMENT,
      template: profile.template.bytes,
    })
    found = await tpm.withFlushed(created.handle, async () => created)
  }
  const cert = await readNvIndex(tpm, profile.certIndex)
  return { kind, handle, public: found.public, pub: found.pub, name: found.name, cert }
}
