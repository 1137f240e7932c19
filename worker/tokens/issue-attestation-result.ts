/**
 * The agent's attestation token: a JWT (ES256, `typ: eat+jwt` per RFC 9782, `kid`) shaped as an
 * EAT Attestation Result in one of two forms (EAR_FORMAT):
 *   "draft" (default): draft-ietf-rats-ear-04, profile `tag:ietf.org,2026:rats/ear#04`, JSON claim
 *     names with underscores: ear_verifier_id, submods[..] {ear_status, ear_trustworthiness_vector,
 *     ear_appraisal_policy_ids: [policyId]};
 *   "veraison": the form today's veraison/ear library reads, profile
 *     `tag:github.com,2023:veraison/ear`, dotted names: ear.verifier-id, submods[..] {ear.status,
 *     ear.trustworthiness-vector, ear.appraisal-policy-id: policyId}.
 * Both carry: eat_profile, iat, exp, jti, iss = spiffe://<trustDomain>/collector,
 *   sub = spiffe://<trustDomain>/agent/<agentId>, cnf.jkt (RFC 7800 §3.1 / RFC 9449 §6.1: the
 *   RFC 7638 SHA-256 JWK thumbprint of the AK public key, see ak-thumbprint.ts),
 *   the submodule 'aegis-agent',
 *   por {ekCertHash?, akName, pcrDigest?, policyId}  (proof of residency),
 *   pog {zone?, sensorId?}                           (proof of geofencing).
 * AR4SI trustworthiness claims (draft-ietf-rats-ar4si §2.3) are made only for what the collector
 * appraised: instance-identity 2 (the AK is bound to a recognised EK by credential activation),
 * hardware 2 when an EK certificate chained to a manufacturer root (ekCertHash given), executables
 * 3 "approved boot" only when the boot was judged against a reference the operator set: an
 * event-log policy or golden PCR values (executablesAppraisedBy given). A baseline the same
 * activation pinned proves nothing about what booted, so it alone leaves `executables` out.
 * Claims not appraised are left out, not set to 0, so `ear.status` is "affirming": the collector
 * issues this token only to agents that passed; anything else gets an error, never a
 * contraindicated token.
 * Leaves out `ear.raw-evidence` and `eat_nonce`: the evidence stays in the provenance bundle.
 */
import { bug, hexDigest, integer, label, nowSeconds } from './check-claims.ts'
import type { CollectorKeyEnv } from './collector-keys.ts'
import { signCompact } from './sign-compact.ts'

import { EAR_TYP } from '../../attest/tokens/typ.ts'

export { EAR_TYP }
/** draft-ietf-rats-ear-04 §3 profile (the default form) */
export const EAR_PROFILE = 'tag:ietf.org,2026:rats/ear#04'
/** the profile of the Veraison library form */
export const EAR_PROFILE_VERAISON = 'tag:github.com,2023:veraison/ear'
export type EarFormat = 'draft' | 'veraison'
export const EAR_FORMATS: readonly EarFormat[] = ['draft', 'veraison']
export const EAR_SUBMOD = 'aegis-agent'
export const EAR_VERIFIER_ID = {
  developer: 'https://aegis-edge.dev',
  build: 'aegis-edge-collector/0.1.0',
}
/** The longest lifetime the collector will sign: tokens are meant to be short-lived. */
export const EAR_MAX_TTL_S = 86_400

export interface AttestationResultInput {
  /** hex SHA-256 of the EK's TPMT_PUBLIC */
  agentId: string
  /** SPIFFE trust domain (TRUST_DOMAIN), e.g. aegis.dev.local */
  trustDomain: string
  /** RFC 7638 SHA-256 JWK thumbprint (base64url) of the AK public key: akThumbprint(ak) */
  akThumbprint: string
  /** hex SHA-256 of the EK certificate DER, when the EK came with one */
  ekCertHash?: string
  /** hex Name of the AK (nameAlg id || digest of TPMT_PUBLIC) */
  akName: string
  /** hex pcrDigest of the quote that matched the policy */
  pcrDigest?: string
  /** What the boot was judged against: an event-log policy or golden PCR values. */
  executablesAppraisedBy?: 'event-log' | 'golden'
  /** id (and version) of the PCR policy the agent was appraised against */
  policyId: string
  zone?: string
  sensorId?: string
  ttlSeconds: number
  /** seconds since the epoch; defaults to now */
  iat?: number
  /** claim names and profile: draft-ietf-rats-ear-04 (default) or the Veraison library's */
  format?: EarFormat
}

export async function issueAttestationResult(
  env: CollectorKeyEnv,
  input: AttestationResultInput,
): Promise<string> {
  const agentId = hexDigest(input.agentId, 'agentId', 32)
  const td = input.trustDomain
  if (typeof td !== 'string' || !/^[a-z0-9._-]{1,255}$/.test(td)) {
    throw bug(
      'trustDomain must be a SPIFFE trust domain (lowercase letters, digits, ".", "-", "_")',
    )
  }
  if (typeof input.akThumbprint !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(input.akThumbprint)) {
    throw bug('akThumbprint must be a base64url SHA-256 JWK thumbprint (43 characters)')
  }
  const ttl = integer(input.ttlSeconds, 'ttlSeconds', 1, EAR_MAX_TTL_S)
  const iat = input.iat === undefined ? nowSeconds() : integer(input.iat, 'iat', 0, 2 ** 40)
  const policyId = label(input.policyId, 'policyId')
  const ekCertHash =
    input.ekCertHash === undefined ? undefined : hexDigest(input.ekCertHash, 'ekCertHash', 32)
  const pcrDigest =
    input.pcrDigest === undefined ? undefined : hexDigest(input.pcrDigest, 'pcrDigest')
  const zone = input.zone === undefined ? undefined : label(input.zone, 'zone')
  const sensorId = input.sensorId === undefined ? undefined : label(input.sensorId, 'sensorId')

  const vector: Record<string, number> = { 'instance-identity': 2 }
  if (ekCertHash !== undefined) vector.hardware = 2
  if (pcrDigest !== undefined && input.executablesAppraisedBy !== undefined) vector.executables = 3
  const pog = { zone, sensorId }

  const format = input.format ?? 'draft'
  if (!EAR_FORMATS.includes(format)) throw bug(`format must be one of ${EAR_FORMATS.join(', ')}`)
  const claims = {
    ...earFrame(format, vector, policyId),
    iss: `spiffe://${td}/collector`,
    sub: `spiffe://${td}/agent/${agentId}`,
    iat,
    exp: iat + ttl,
    jti: crypto.randomUUID(),
    cnf: { jkt: input.akThumbprint },
    por: { ekCertHash, akName: hexDigest(input.akName, 'akName'), pcrDigest, policyId },
    ...(zone !== undefined || sensorId !== undefined ? { pog } : {}),
  }
  return signCompact(env, EAR_TYP, claims)
}

/** The EAR claims proper (profile, verifier, submodule appraisal) in the chosen form. */
function earFrame(format: EarFormat, vector: Record<string, number>, policyId: string) {
  if (format === 'veraison') {
    return {
      eat_profile: EAR_PROFILE_VERAISON,
      'ear.verifier-id': EAR_VERIFIER_ID,
      submods: {
        [EAR_SUBMOD]: {
          'ear.status': 'affirming',
          'ear.trustworthiness-vector': vector,
          'ear.appraisal-policy-id': policyId,
        },
      },
    }
  }
  return {
    eat_profile: EAR_PROFILE,
    ear_verifier_id: EAR_VERIFIER_ID,
    submods: {
      [EAR_SUBMOD]: {
        ear_status: 'affirming',
        ear_trustworthiness_vector: vector,
        ear_appraisal_policy_ids: [policyId],
      },
    },
  }
}
