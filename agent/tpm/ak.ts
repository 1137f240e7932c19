/**
 * The attestation key: a restricted signing key created under the SRK and persisted in the owner
 * hierarchy (default 0x81008001), so quotes need no key loading. If the handle already holds a key
 * made from the requested template it is re-used (its Name is what the collector enrolled);
 * a different object there is ERR_CONFIG unless `rotate` asks to replace it.
 * Create + Load + EvictControl: TPM 2.0 Part 3 §12.1, §12.2, §28.5. Every transient (SRK, loaded
 * AK) is flushed before returning, on success and on failure.
 * Leaves out AK certification (TPM2_Certify by an IDevID) and AK authValues.
 */
import { AegisError } from '../../attest/errors.ts'
import type { TpmPublic } from '../../attest/tpm/types.ts'
import { readPersistent } from './read-persistent.ts'
import { withSrk } from './srk.ts'
import { AK_TEMPLATES, type AkAlg } from './templates/ak-templates.ts'
import { matchesTemplate } from './templates/template.ts'
import type { Tpm } from './tpm.ts'

export type { AkAlg } from './templates/ak-templates.ts'

export const DEFAULT_AK_HANDLE = 0x81008001

export interface AttestationKey {
  handle: number
  /** TPM2B_PUBLIC (u16 size || TPMT_PUBLIC), as the collector's /v1/enroll takes it. */
  public: Uint8Array
  pub: TpmPublic
  /** nameAlg || H(TPMT_PUBLIC): what ActivateCredential binds and quotes' signer derives from. */
  name: Uint8Array
  /** True when this call created the key (the collector must see a fresh enrollment). */
  created: boolean
}

export async function ensureAttestationKey(
  tpm: Tpm,
  opts: { handle?: number; alg?: AkAlg; rotate?: boolean } = {},
): Promise<AttestationKey> {
  const handle = opts.handle ?? DEFAULT_AK_HANDLE
  const alg = opts.alg ?? 'ecc'
  const tmpl = AK_TEMPLATES[alg]
  // Owner-hierarchy persistent range (Part 2 §7.5 / TCG handle registry): 0x81000000..0x817fffff.
  if (!Number.isInteger(handle) || handle < 0x81000000 || handle > 0x817fffff) {
    throw new AegisError(
      'ERR_CONFIG',
      `AK handle 0x${handle.toString(16)} is not an owner persistent handle`,
    )
  }

  const existing = await readPersistent(tpm, handle)
  if (existing) {
    if (!opts.rotate) {
      if (matchesTemplate(existing.pub, tmpl)) {
        return {
          handle,
          public: existing.public,
          pub: existing.pub,
          name: existing.name,
          created: false,
        }
      }
      throw new AegisError(
        'ERR_CONFIG',
        `handle 0x${handle.toString(16)} holds a key that is not a ${alg} AK ` +
          '(choose another handle or rotate)',
        { detail: { handle } },
      )
    }
    await tpm.evictControl({ object: handle, persistent: handle })
  }

  await withSrk(tpm, async (srk) => {
    const made = await tpm.create({ parent: srk, template: tmpl.bytes })
    const loaded = await tpm.load({ parent: srk, private: made.private, public: made.public })
    await tpm.withFlushed(loaded.handle, (h) => tpm.evictControl({ object: h, persistent: handle }))
  })
  const now = await tpm.readPublic(handle)
  return { handle, public: now.public, pub: now.pub, name: now.name, created: true }
}
