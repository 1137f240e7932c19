/** Validators for operator configuration documents (see worker/config/types.ts). */
import { AegisError } from '../../attest/errors.ts'
import { parseCertificate } from '../../attest/x509/parse-certificate.ts'
import { parsePemBundle } from '../../attest/x509/pem.ts'
import { eventLogPolicyValidator } from '../../attest/eventlog/policy.ts'
import type { AllowlistSettings, Policy, TrustSettings } from '../config/types.ts'
import { AGENT_ID } from '../http/params.ts'
import {
  array,
  bool,
  literal,
  num,
  object,
  optional,
  record,
  str,
  validate,
} from '../../attest/json/schema.ts'

const Pem = str({ min: 1, max: 65536 })

export function validateTrust(raw: unknown): TrustSettings {
  // Room for the whole curated vendor set (trust/tpm-vendors: ~200 CAs) and the operator's own.
  const t = validate(
    raw,
    object({ roots: array(Pem, { min: 1, max: 256 }), intermediates: array(Pem, { max: 512 }) }),
  )
  const check = (list: string[], field: string) =>
    list.forEach((pem, i) => {
      try {
        const ders = parsePemBundle(pem)
        if (ders.length === 0) throw new AegisError('ERR_CERT_MALFORMED', 'no certificate in PEM')
        ders.forEach((d: Uint8Array) => parseCertificate(d))
      } catch (e) {
        throw new AegisError(
          'ERR_INPUT_MALFORMED',
          `${field}[${i}] is not a PEM certificate bundle`,
          {
            cause: e,
            detail: { path: `$.${field}[${i}]` },
          },
        )
      }
    })
  check(t.roots, 'roots')
  check(t.intermediates, 'intermediates')
  return t
}

export function validateAllowlist(raw: unknown): AllowlistSettings {
  return validate(
    raw,
    object({
      enabled: bool(),
      // The hex SHA-256 of the EK's TPMT_PUBLIC is the agentId.
      ekPublicSha256: array(str({ pattern: AGENT_ID }), { max: 100_000 }),
      certSerials: array(str({ pattern: /^[0-9a-f]{1,64}$/ }), { max: 100_000 }),
    }),
  )
}

const HashName = literal('sha256', 'sha384', 'sha1', 'sha512')
const PcrIndex = num({ integer: true, min: 0, max: 23 })

export function validatePolicy(raw: unknown): Policy {
  const p = validate(
    raw,
    object({
      mode: literal('enforce', 'audit'),
      pcr: object({
        selection: array(
          object({ hashAlg: HashName, pcrs: array(PcrIndex, { min: 1, max: 24 }) }),
          { min: 1, max: 4 },
        ),
        mode: literal('baseline', 'golden'),
        golden: record(/^(0|[1-9]\d?)$/, array(str({ pattern: /^[0-9a-f]{64}$/ }), { max: 64 }), {
          max: 24,
        }),
        sensorPcr: PcrIndex,
      }),
      geo: object({
        maxFixAgeSeconds: num({ min: 1, max: 86_400 }),
        maxSpeedMps: num({ min: 0, max: 10_000 }),
        requireCountryMatch: bool(),
      }),
      nonceTtlSeconds: num({ integer: true, min: 5, max: 120 }),
      maxOutstandingNonces: num({ integer: true, min: 1, max: 64 }),
      maxBodyBytes: num({ integer: true, min: 1024, max: 4 * 1024 * 1024 }),
      maxBatchAgeSeconds: optional(num({ integer: true, min: 60, max: 90 * 86_400 })),
      eventLog: optional(eventLogPolicyValidator),
    }),
  )
  for (const s of p.pcr.selection) {
    if (new Set(s.pcrs).size !== s.pcrs.length) {
      throw new AegisError('ERR_INPUT_MALFORMED', 'pcr.selection lists a PCR twice', {
        detail: { path: '$.pcr.selection' },
      })
    }
    s.pcrs.sort((a, b) => a - b)
  }
  const sha256Sel = p.pcr.selection.find((s) => s.hashAlg === 'sha256')
  if (!sha256Sel?.pcrs.includes(p.pcr.sensorPcr)) {
    throw new AegisError('ERR_INPUT_MALFORMED', 'the sensor PCR must be in the sha256 selection', {
      detail: { path: '$.pcr.sensorPcr' },
    })
  }
  if (p.eventLog?.pcrs.includes(p.pcr.sensorPcr)) {
    const why = 'the sensor PCR is not measured by firmware: eventLog.pcrs must not include it'
    throw new AegisError('ERR_INPUT_MALFORMED', why, { detail: { path: '$.eventLog.pcrs' } })
  }
  return p
}
