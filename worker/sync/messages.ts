/** Messages on the sync queue (SYNC_QUEUE): accepted batches and audit decisions. */
import type { Decision } from '../audit/record-decision.ts'

export type SyncMessage = { type: 'decision'; decision: Decision }
