/**
 * The operator's measured-boot policy over event-log content (`policy.eventLog` in the operator
 * configuration) and its strict validator. References to certificates are the hex SHA-256 of the
 * DER; the validator also takes a PEM certificate and stores its reference, so operators can paste
 * a db certificate or its hash alike. Digests are hex in any bank (their length names the bank).
 */
import { toHex } from '../bytes/encoding.ts'
import { digest } from '../crypto/hash.ts'
import { AegisError } from '../errors.ts'
import {
  array,
  bool,
  num,
  object,
  optional,
  str,
  validate,
  type Validator,
} from '../json/schema.ts'
import { parsePemBundle } from '../x509/pem.ts'

export interface AllowDeny {
  allow?: string[]
  deny?: string[]
}

export interface EventLogPolicy {
  /** PCRs the policy governs: the log must replay to their quoted values; rules read only them. */
  pcrs: number[]
  requireSecureBoot: boolean
  /** Every db certificate/hash must be allowed (when `allow` is set); none may be denied. */
  db?: AllowDeny
  /** Entries dbx must contain: revocations the platform must have applied. */
  dbx?: { require?: string[] }
  /** The certificates that verified loaded images (EV_EFI_VARIABLE_AUTHORITY). */
  authorities?: AllowDeny
  /** Boot applications (PCR 4) by image digest. */
  bootApps?: AllowDeny
  /** The kernel (last boot application) by image digest. */
  kernels?: { allow?: string[] }
  /** EV_S_CRTM_VERSION must be at least one of these (same text before the first digit). */
  minFirmwareVersions?: string[]
}

const Digest = str({ pattern: /^([0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$/ })

/** A hex SHA-256 reference, or a PEM certificate turned into one. */
const CertRef: Validator<string> = (v, p) => {
  if (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)) return v
  if (typeof v === 'string' && v.includes('-----BEGIN CERTIFICATE-----')) {
    let ders: Uint8Array[] = []
    try {
      ders = parsePemBundle(v)
    } catch {
      // reported below as a malformed field, with its path
    }
    if (ders.length === 1) return toHex(digest('sha256', ders[0]!))
  }
  throw new AegisError(
    'ERR_INPUT_MALFORMED',
    `${p}: expected a hex SHA-256 or one PEM certificate`,
    {
      detail: { path: p, expected: 'a hex SHA-256 or one PEM certificate' },
    },
  )
}

const MAX = { max: 10_000 }
const allowDeny = (item: Validator<string>) =>
  object({ allow: optional(array(item, MAX)), deny: optional(array(item, MAX)) })

export const eventLogPolicyValidator: Validator<EventLogPolicy> = (v, p) => {
  const out = object({
    pcrs: array(num({ integer: true, min: 0, max: 23 }), { min: 1, max: 24 }),
    requireSecureBoot: bool(),
    db: optional(allowDeny(CertRef)),
    dbx: optional(object({ require: optional(array(CertRef, MAX)) })),
    authorities: optional(allowDeny(CertRef)),
    bootApps: optional(allowDeny(Digest)),
    kernels: optional(object({ allow: optional(array(Digest, MAX)) })),
    minFirmwareVersions: optional(array(str({ min: 1, max: 256 }), { max: 64 })),
  })(v, p)
  if (new Set(out.pcrs).size !== out.pcrs.length) {
    throw new AegisError('ERR_INPUT_MALFORMED', `${p}.pcrs lists a PCR twice`, {
      detail: { path: `${p}.pcrs` },
    })
  }
  out.pcrs.sort((a, b) => a - b)
  return out
}

export function validateEventLogPolicy(raw: unknown): EventLogPolicy {
  return validate(raw, eventLogPolicyValidator)
}
