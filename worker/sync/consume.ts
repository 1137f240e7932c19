/**
 * Sync queue consumer. Acks per message: a message is acked only once what it carries is stored;
 * a transient failure retries it with exponential backoff; a message that can never be stored
 * (unknown shape) goes to the dead-letter queue with its reason, then is acked. After max_retries
 * the platform moves a message to the dead-letter queue itself (wrangler.toml), where
 * consumeDeadLetters records it in D1. The batch messages of one queue batch are stored together
 * (store-batches.ts: one R2 write, one log append, one D1 batch for all of them).
 */
import { insertDecisions } from '../audit/record-decision.ts'
import { insertDeadLetter } from '../store/dead-letters.ts'
import { isSyncMessage, type SyncMessage } from './messages.ts'
import { storeQueueBatch } from './store-batches.ts'

export async function consumeSync(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue === 'aegis-sync-dlq') return consumeDeadLetters(batch, env)
  const decisions: Message<SyncMessage & { type: 'decision' }>[] = []
  const byAgent = new Map<string, Message<SyncMessage & { type: 'batch' }>[]>()
  for (const m of batch.messages) {
    if (!isSyncMessage(m.body)) {
      await deadLetter(env, m, 'not a sync message')
      continue
    }
    if (m.body.type === 'decision') decisions.push(m as Message<SyncMessage & { type: 'decision' }>)
    else {
      const list = byAgent.get(m.body.agentId) ?? []
      list.push(m as Message<SyncMessage & { type: 'batch' }>)
      byAgent.set(m.body.agentId, list)
    }
  }
  const work: Promise<void>[] = []
  if (decisions.length) {
    work.push(
      insertDecisions(
        env.DB,
        decisions.map((m) => m.body.decision),
      ).then(
        () => decisions.forEach((m) => m.ack()),
        (e: unknown) => {
          console.error('decision insert failed, retrying', e)
          decisions.forEach((m) => m.retry({ delaySeconds: backoff(m.attempts) }))
        },
      ),
    )
  }
  if (byAgent.size) work.push(storeAnnounced(env, byAgent))
  await Promise.all(work)
}

/** All announced batches of the queue batch in one store; acks or retries per agent. */
async function storeAnnounced(
  env: Env,
  byAgent: Map<string, Message<SyncMessage & { type: 'batch' }>[]>,
): Promise<void> {
  const groups = [...byAgent].map(([agentId, msgs]) => ({
    agentId,
    batchIds: [...new Set(msgs.map((m) => m.body.batchId))],
  }))
  let failed: Map<string, unknown>
  try {
    failed = await storeQueueBatch(env, groups)
  } catch (e) {
    failed = new Map(groups.map((g) => [g.agentId, e]))
  }
  for (const [agentId, msgs] of byAgent) {
    if (!failed.has(agentId)) {
      msgs.forEach((m) => m.ack())
      continue
    }
    console.error(`storing batches of ${agentId} failed, retrying`, failed.get(agentId))
    msgs.forEach((m) => m.retry({ delaySeconds: backoff(m.attempts) }))
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

/** Record dead letters (ours, with a reason, or the platform's after max_retries) in D1. */
async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const rows = batch.messages.map((m) => {
    const b = m.body as { reason?: unknown; body?: unknown } | null
    const ours = b !== null && typeof b === 'object' && typeof b.reason === 'string' && 'body' in b
    return {
      m,
      reason: ours ? (b.reason as string) : 'max retries exceeded',
      body: JSON.stringify(ours ? b.body : m.body) ?? 'null',
    }
  })
  try {
    await env.DB.batch(
      rows.map((r) =>
        insertDeadLetter(env.DB, {
          at: Date.now(),
          messageId: r.m.id,
          reason: r.reason,
          body: r.body,
        }),
      ),
    )
    rows.forEach((r) => r.m.ack())
  } catch (e) {
    console.error('dead-letter insert failed', e)
    rows.forEach((r) => r.m.retry({ delaySeconds: backoff(r.m.attempts) }))
  }
}
