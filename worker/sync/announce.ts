/**
 * Announcing accepted batches to the sync queue, coalesced per isolate: the batches accepted in
 * this isolate within ANNOUNCE_WINDOW_MS go out in one `sendBatch` rather than one `send` each (a
 * queue operation and a hop per accepted batch otherwise: docs/scale.md). The request that finds
 * no flush scheduled schedules one under its own waitUntil; later requests only add their message,
 * which is plain data, so no I/O object crosses requests. Losing a notification loses nothing:
 * the ledger's outbox holds the batch and its alarm re-announces it (agent-ledger.ts), so a
 * failed or cut-short flush only delays storage, as a failed `send` did.
 * Leaves out decisions (audit/record-decision.ts sends them on their own: they are rare).
 */
import type { SyncMessage } from './messages.ts'

/** How long a notification may wait for others; adds at most this to the sync lag. */
export const ANNOUNCE_WINDOW_MS = 10
/** Messages per sendBatch call: the Queues limit is 100 (and 256 KB; ours are ~150 bytes). */
export const ANNOUNCE_MAX = 100

type BatchMessage = SyncMessage & { type: 'batch' }

let pending: MessageSendRequest<BatchMessage>[] = []
let scheduled = false

export function announceBatch(
  env: { SYNC_QUEUE: Queue },
  ctx: { waitUntil(p: Promise<unknown>): void },
  msg: Omit<BatchMessage, 'type'>,
): void {
  pending.push({ body: { type: 'batch', ...msg } })
  if (pending.length >= ANNOUNCE_MAX) ctx.waitUntil(flush(env))
  if (scheduled) return
  scheduled = true
  ctx.waitUntil(
    new Promise((r) => setTimeout(r, ANNOUNCE_WINDOW_MS)).then(() => {
      scheduled = false
      return flush(env)
    }),
  )
}

async function flush(env: { SYNC_QUEUE: Queue }): Promise<void> {
  const out = pending.splice(0, ANNOUNCE_MAX)
  if (out.length === 0) return
  try {
    await env.SYNC_QUEUE.sendBatch(out)
  } catch (e) {
    console.error(
      `sync notification of ${out.length} batches failed; the ledger alarm will retry`,
      e,
    )
  }
}

/** Test hook: what waits to be sent (workerd tests share one isolate). */
export function pendingAnnouncements(): number {
  return pending.length
}

/** Test hook: drop what waits (a test that ends before the window must not leak into the next). */
export function clearAnnouncements(): void {
  pending = []
  scheduled = false
}
