/**
 * Sync queue consumer. Acks per message: a message is acked only once what it carries is stored;
 * a transient failure retries that message with backoff; a message that can never be stored
 * (unknown type, malformed) is sent to the dead-letter queue with its reason, then acked.
 */
import { insertDecisions } from '../audit/record-decision.ts'
import type { SyncMessage } from './messages.ts'

export async function consumeSync(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const decisions: Message<unknown>[] = []
  for (const m of batch.messages) {
    const body = m.body as Partial<SyncMessage> | null
    if (body && body.type === 'decision' && body.decision) decisions.push(m)
    else await deadLetter(env, m, 'unknown message type')
  }
  if (decisions.length) {
    try {
      // Decisions are an append-only log; one D1 batch per queue batch.
      await insertDecisions(env.DB, decisions.map((m) => (m.body as SyncMessage).decision))
      for (const m of decisions) m.ack()
    } catch (e) {
      console.error('decision insert failed, retrying', e)
      for (const m of decisions) m.retry({ delaySeconds: backoff(m.attempts) })
    }
  }
}

export function backoff(attempts: number): number {
  return Math.min(300, 2 ** Math.min(attempts, 8))
}

async function deadLetter(env: Env, m: Message<unknown>, reason: string): Promise<void> {
  try {
    await env.DEAD_LETTERS.send({ reason, id: m.id, attempts: m.attempts, body: m.body })
    m.ack()
  } catch (e) {
    console.error('dead-letter send failed', e)
    m.retry({ delaySeconds: backoff(m.attempts) })
  }
}
