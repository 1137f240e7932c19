/**
 * The endorsement key the collector encrypts credentials to, for any TCG EK template the TPM has
 * (templates/ek-templates.ts: L-1, L-2, H-1..H-4, H-6, H-7): the persistent EK at the profile's
 * handle if one matching the template is there, else the same key re-derived by CreatePrimary
 * from the template (then flushed: nothing stays loaded); plus its certificate from the
 * profile's NV index and the EK certificate chain some vendors store in NV 0x01c00100.. (TCG EK
 * Credential Profile v2.5 §2.2.1.5.2: one or more DER certificates per index, indices in order).
 * With 'auto' the first template whose certificate is provisioned wins (L-1 first), else a
 * persisted EK, else L-1. A persistent object that does not match the template is ignored (the
 * NV certificate certifies the template's key, not whatever was persisted at the handle).
 */
import type { TpmPublic } from '../../attest/tpm/types.ts'
import { TPM_RH } from '../../attest/tpm/constants.ts'
import { splitDerSequence } from '../../attest/x509/ek-cert-padding.ts'
import { readNvIndex } from './read-nv.ts'
import { readPersistent } from './read-persistent.ts'
import { EK_KINDS, EK_PROFILES, type EkKind } from './templates/ek-templates.ts'
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
  /** DER of the CA certificates in the NV chain indices (empty when there are none). */
  chain: Uint8Array[]
}

export type EkChoice = EkKind | 'auto'

/** First EK certificate chain index, and how many consecutive indices are read at most. */
export const EK_CHAIN_FIRST_INDEX = 0x01c00100
const EK_CHAIN_MAX_INDICES = 16

export async function getEndorsementKey(tpm: Tpm, choice: EkChoice): Promise<EndorsementKey> {
  const kind = choice === 'auto' ? await pickEkKind(tpm) : choice
  const ek = await loadEk(tpm, kind)
  return { ...ek, chain: ek.cert ? await readEkCertChain(tpm) : [] }
}

async function pickEkKind(tpm: Tpm): Promise<EkKind> {
  for (const kind of EK_KINDS) {
    if (await readNvIndex(tpm, EK_PROFILES[kind].certIndex)) return kind
  }
  for (const kind of EK_KINDS) {
    const p = EK_PROFILES[kind]
    const persistent = await readPersistent(tpm, p.persistentHandle)
    if (persistent && matchesTemplate(persistent.pub, p.template)) return kind
  }
  return 'rsa'
}

/** The certificates of the EK certificate chain indices, in index order. */
export async function readEkCertChain(tpm: Tpm): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for (let i = 0; i < EK_CHAIN_MAX_INDICES; i++) {
    const nv = await readNvIndex(tpm, EK_CHAIN_FIRST_INDEX + i)
    if (!nv) break
    out.push(...splitDerSequence(nv))
  }
  return out
}

async function loadEk(tpm: Tpm, kind: EkKind): Promise<Omit<EndorsementKey, 'chain'>> {
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
