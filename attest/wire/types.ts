/**
 * JSON shapes of the collector's HTTP API as its clients read them: the agent and the `aegis` CLI,
 * the benchmarks' simulated agents and the web console import these instead of typing each reply
 * again. Types only; the collector validates what it receives (attest/json/schema.ts), and
 * docs/protocol.md is the prose contract. Times are ISO-8601 strings unless named *Ms.
 */
import type { PcrSelection } from '../tpm/types.ts'

/** 201 from POST /v1/enroll: the credential challenge the agent activates. */
export interface EnrollReply {
  enrollmentId: string
  agentId: string
  credentialBlob: string
  encryptedSecret: string
  expiresAt: string
  /** The PCR selection the activation quote (and every batch quote) must cover. */
  quoteSelection: PcrSelection[]
  sensorPcr: number
  /** The collector's sealed pending enrollment: returned verbatim with the activation. */
  challenge: string
}

/** 202 from POST /v1/agents/{agentId}/batches. */
export interface BatchReply {
  batchId: string
  receipt: string
  /** Set when this payload was accepted before: the original receipt, nothing stored again. */
  duplicate?: boolean
  nextNonce: string
  nextNonceExpiresAt: string
}

/** One row of the decision audit trail (GET /v1/decisions). */
export interface Decision {
  id: number
  at: string
  kind: 'enroll' | 'activate' | 'batch'
  agent_id: string | null
  batch_id: string | null
  verdict: 'accept' | 'reject' | 'accept-audit'
  code: string | null
  zone: string | null
  cf_country: string | null
  verify_ms: number | null
  detail: Record<string, unknown> | null
}

/** One agent as the operator API lists it (GET /v1/agents). */
export interface OperatorAgent {
  agentId: string
  status: 'active' | 'revoked'
  zones: string[]
  sensor: { id: string; firmware: string }
  enrolledAt: string
  revokedReason: string | null
  /** Where its ledger and evidence live (docs/sovereignty.md); null: unrestricted. */
  jurisdiction?: string | null
}
