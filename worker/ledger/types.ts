/** Records held by the per-agent Durable Object (AgentLedger) and mirrored to D1 `agents`. */
import type { ErrorCode } from '../../attest/errors.ts'

export type HexPcrs = Record<string, Record<string, string>>

export interface AgentRecord {
  agentId: string
  status: 'active' | 'revoked'
  /** base64url TPMT_PUBLIC */
  ekPublic: string
  ekCertSha256: string | null
  ekCertSerial: string | null
  ekCertIssuer: string | null
  /** base64url TPMT_PUBLIC */
  akPublic: string
  /** hex nameAlg || H(AK TPMT_PUBLIC) */
  akName: string
  platform: Record<string, unknown>
  sensor: { id: string; firmware: string }
  zones: string[]
  /** PCR values pinned by the activation quote: {"sha256": {"0": hex, ...}} */
  pcrBaseline: HexPcrs
  enrolledAt: number
  revokedAt: number | null
  revokedReason: string | null
}

/** What POST /v1/enroll leaves behind for the activation step. */
export interface PendingEnrollment {
  enrollmentId: string
  /** SHA-256 of the credential secret; the secret itself is never stored. */
  secretSha256: string
  expiresAt: number
  /** The agent record to commit on activation (pcrBaseline filled in then). */
  record: Omit<AgentRecord, 'pcrBaseline' | 'enrolledAt' | 'status' | 'revokedAt' | 'revokedReason' | 'zones'>
}

export interface LocationFix {
  lat: number
  lon: number
  accuracyM: number
  fixTime: number
}

export interface ReplayState {
  lastSeq: number | null
  resetCount: number | null
  restartCount: number | null
  /** TPM clock (ms) as a decimal string (u64). */
  clock: string | null
  lastFix: LocationFix | null
}

/** The stateful half of batch admission; the worker has already verified the evidence. */
export interface AdmitRequest {
  akName: string
  nonce: string
  seq: number
  clock: { clock: string; resetCount: number; restartCount: number }
  fix: LocationFix
  /** Policy-level checks the DO performs (impossible travel); in audit mode they only record. */
  geo: { maxSpeedMps: number; enforce: boolean }
  nonceTtlSeconds: number
  maxOutstandingNonces: number
}

export interface AdmitResult {
  nextNonce: string
  nextNonceExpiresAt: number
  /** Codes of policy checks that failed in audit mode (the batch was still admitted). */
  auditFindings: ErrorCode[]
}
