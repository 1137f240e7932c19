/**
 * Messages on the sync queue (SYNC_QUEUE). Batch messages only announce an accepted batch: the
 * record itself stays in the agent ledger's outbox until stored, so queue message size limits and
 * lost notifications cannot lose data (the ledger re-announces unconfirmed entries).
 */
import type { Decision } from '../audit/record-decision.ts'
import { AGENT_ID, BATCH_ID } from '../http/params.ts'

export type SyncMessage =
  { type: 'decision'; decision: Decision } | { type: 'batch'; agentId: string; batchId: string }

export function isSyncMessage(x: unknown): x is SyncMessage {
  if (typeof x !== 'object' || x === null) return false
  const m = x as Record<string, unknown>
  if (m.type === 'decision') return typeof m.decision === 'object' && m.decision !== null
  if (m.type === 'batch') {
    return (
      typeof m.agentId === 'string' &&
      AGENT_ID.test(m.agentId) &&
      typeof m.batchId === 'string' &&
      BATCH_ID.test(m.batchId)
    )
  }
  return false
}
