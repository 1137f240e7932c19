/**
 * Operator configuration, stored in D1 `settings` (one versioned JSON document per key) and
 * `zones`. Changing it needs no redeploy: the operator API writes, the worker reads through a
 * short per-isolate cache (config/settings-store.ts).
 */
import type { EventLogPolicy } from '../../attest/eventlog/policy.ts'
import type { HashAlg } from '../../attest/tpm/types.ts'

/** Manufacturer CA certificates the EK chain must reach (PEM). */
export interface TrustSettings {
  roots: string[]
  intermediates: string[]
}

/** Purchase-order binding: only these EKs may enroll when enabled. */
export interface AllowlistSettings {
  enabled: boolean
  /** hex SHA-256 of the EK's TPMT_PUBLIC (= agentId) */
  ekPublicSha256: string[]
  /** EK certificate serial numbers, lowercase hex without separators */
  certSerials: string[]
}

export type PolicyMode = 'enforce' | 'audit'

export interface PcrPolicy {
  /** The selection every quote must cover exactly. */
  selection: { hashAlg: HashAlg; pcrs: number[] }[]
  /**
   * 'baseline': values must equal those pinned at activation.
   * 'golden': each listed PCR must take one of the listed values (unlisted selected PCRs: baseline).
   */
  mode: 'baseline' | 'golden'
  golden: Record<string, string[]>
  /** The PCR the location sensor identity is extended into. */
  sensorPcr: number
}

export interface GeoPolicy {
  maxFixAgeSeconds: number
  maxSpeedMps: number
  /** When true, request.cf.country must be one of the zone's countries (if the zone lists any). */
  requireCountryMatch: boolean
}

export interface Policy {
  mode: PolicyMode
  pcr: PcrPolicy
  geo: GeoPolicy
  /** Nonce lifetime (<= 120 s) and cap of outstanding nonces per agent. */
  nonceTtlSeconds: number
  maxOutstandingNonces: number
  /** Largest accepted batch body. */
  maxBodyBytes: number
  /**
   * Oldest collectedAt accepted (agents spool while offline and drain later); absent = 7 days.
   * The fix's freshness is judged against collectedAt, the quote's against the nonce.
   */
  maxBatchAgeSeconds?: number
  /**
   * Measured boot (docs/measured-boot.md): when set, the PCRs it governs are judged by the UEFI
   * event log the agent sends (replay + policy over events) instead of the pinned baseline.
   */
  eventLog?: EventLogPolicy
}

export type { Zone } from '../../attest/geofence/types.ts'

export interface EffectiveConfig {
  trust: TrustSettings | undefined
  allowlist: AllowlistSettings
  policy: Policy | undefined
  policyVersion: number
  /** Zone given to agents that have none assigned (development only). */
  defaultZoneIds: string[]
}
