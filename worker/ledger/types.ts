/** Records held by the per-agent Durable Object (AgentLedger) and mirrored to D1 `agents`. */
import type { ErrorCode } from '../../attest/errors.ts'

export type HexPcrs = Record<string, Record<string, string>>

export interface AgentRecord {
  agentId: string
  /** Bumped on every change (activation, zones, revocation): lets cached copies detect staleness. */
  version: number
  status: 'active' | 'revoked'
  /** base64url TPMT_PUBLIC */
  ekPublic: string
  /** base64url EK certificate DER (NV padding removed), for offline chain checks by auditors */
  ekCert: string | null
  /** base64url DER of the CA certificates that chained ekCert at enrollment, anchor last. */
  ekCertChain?: string[]
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
  /** Collector-signed AK binding statement from the activation (attest/bundle AkBindingClaims). */
  binding: string
  enrolledAt: number
  revokedAt: number | null
  revokedReason: string | null
}

/**
 * What POST /v1/enroll hands the agent, sealed (worker/enroll/sealed-challenge.ts), for the
 * activation step: nothing of it is stored until an activation succeeds.
 */
export interface PendingEnrollment {
  enrollmentId: string
  /** SHA-256 of the credential secret; the secret itself is never stored. */
  secretSha256: string
  expiresAt: number
  /** The agent record to commit on activation (pcrBaseline filled in then). */
  record: Omit<
    AgentRecord,
    | 'pcrBaseline'
    | 'enrolledAt'
    | 'status'
    | 'revokedAt'
    | 'revokedReason'
    | 'zones'
    | 'binding'
    | 'version'
  >
}

/** A sealed challenge the worker opened and checked (tag, secret, activation quote). */
export type OpenedChallenge = PendingEnrollment

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
  /**
   * Order key of the last nonce spent (stateless-nonce.ts `nonceOrder`): a nonce is spent only if
   * its key is greater. Absent in replay states written before nonces were ordered.
   */
  nonce?: string | null
}

/**
 * An accepted batch with everything an auditor needs to re-verify it: kept in the agent's outbox
 * until the sync consumer has stored it in R2 and D1, then dropped from the DO.
 */
export interface AcceptedBatch {
  batchId: string
  agentId: string
  seq: number
  acceptedAt: number
  verdict: 'accept' | 'accept-audit'
  /** Policy checks that failed in audit mode. */
  findings: ErrorCode[]
  zone: string | null
  cfCountry: string | null
  verifyMs: number
  /** base64url of the exact payload bytes, the nonce, and the quote as received. */
  payload: string
  nonce: string
  quote: { attest: string; signature: string; pcrs: HexPcrs }
  akPublic: string
  akName: string
  ekCertSha256: string | null
  policyVersion: number
  receipt: string
}

/**
 * The stateful half of batch admission; the worker has already verified the evidence. The ledger
 * checks the batch's nonce, seq and AK name (batch.nonce, batch.seq, batch.akName).
 */
export interface AdmitRequest {
  /** Verdict and receipt are decided by the ledger (it may add an audit finding). */
  batch: Omit<AcceptedBatch, 'verdict' | 'receipt'>
  /** The version of the agent record the worker verified against (see AgentRecord.version). */
  recordVersion: number
  clock: { clock: string; resetCount: number; restartCount: number }
  fix: LocationFix
  /** Policy-level checks the DO performs (impossible travel); in audit mode they only record. */
  geo: { maxSpeedMps: number; enforce: boolean }
  nonceTtlSeconds: number
}

/** What the ledger answers for an admitted batch: the decision, not the stored record. */
export type AdmittedBatch = Pick<
  AcceptedBatch,
  'batchId' | 'seq' | 'acceptedAt' | 'verdict' | 'findings' | 'zone' | 'receipt'
>

export interface AdmitResult {
  /** The decision (verdict, findings, receipt), unless this was a duplicate. */
  accepted: AdmittedBatch | null
  /** Set when this payload was already accepted: the original receipt, nothing stored again. */
  duplicateOf: { batchId: string; receipt: string; acceptedAt: number } | null
  nextNonce: string
  nextNonceExpiresAt: number
}
