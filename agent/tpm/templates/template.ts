/**
 * Build a TPMT_PUBLIC template from the fields of a TpmPublic, marshalled by the shared
 * marshaller (attest/tpm/marshal-public.ts), plus the check "is this loaded key one made from
 * this template" (every field but the unique area, which the TPM fills in).
 * TPM 2.0 Part 2 §12.2.4 TPMT_PUBLIC; Part 3 §12.1 (the template's unique field).
 */
import { bytesEqual } from '../../../attest/bytes/encoding.ts'
import { marshalTpmtPublic } from '../../../attest/tpm/marshal-public.ts'
import { decodeObjectAttributes } from '../../../attest/tpm/object-attributes.ts'
import type { EccPublic, RsaPublic, TpmPublic } from '../../../attest/tpm/types.ts'

type Fields<T> = Omit<T, 'attrs' | 'raw'>
export type TemplateFields = Fields<RsaPublic> | Fields<EccPublic>

export interface Template {
  /** The fields as a TpmPublic (unique area as in the template: zeros or empty). */
  fields: TpmPublic
  /** TPMT_PUBLIC bytes to send as inPublic. */
  bytes: Uint8Array
}

export function template(f: TemplateFields): Template {
  const fields = {
    ...f,
    attrs: decodeObjectAttributes(f.attributes),
    raw: new Uint8Array(0),
  } as TpmPublic
  const bytes = marshalTpmtPublic(fields)
  fields.raw = bytes
  return { fields, bytes }
}

/** True when `pub` has the template's type, nameAlg, attributes, policy and parameters. */
export function matchesTemplate(pub: TpmPublic, t: Template): boolean {
  const f = t.fields
  if (
    pub.type !== f.type ||
    pub.nameAlg !== f.nameAlg ||
    pub.attributes >>> 0 !== f.attributes >>> 0 ||
    !bytesEqual(pub.authPolicy, f.authPolicy) ||
    JSON.stringify(pub.symmetric) !== JSON.stringify(f.symmetric) ||
    JSON.stringify(pub.scheme) !== JSON.stringify(f.scheme)
  ) {
    return false
  }
  if (pub.type === 'rsa' && f.type === 'rsa') {
    return pub.keyBits === f.keyBits && pub.exponent === f.exponent
  }
  if (pub.type === 'ecc' && f.type === 'ecc') {
    return pub.curve === f.curve && JSON.stringify(pub.kdf) === JSON.stringify(f.kdf)
  }
  return false
}
