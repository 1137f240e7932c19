/**
 * Store the accepted batches one queue batch announces, with a fixed number of hops per queue
 * batch rather than per accepted batch (docs/scale.md):
 *   1. one RPC per agent: its outbox entries and its record (AgentLedger.readOutbox);
 *   2. one R2 write: every bundle of the queue batch in one pack (pack-bundles.ts);
 *   3. one transparency-log append for all their hashes;
 *   4. one D1 batch (a transaction): per batch, its rollup bucket folded, its accept decision and
 *      its batch row (write-rows.ts), the fold only if the batch row is not there yet;
 *   5. one RPC per agent: drop the stored entries from its outbox.
 * Every step is idempotent by batchId, so a redelivered or concurrent message converges to the
 * same rows. An agent whose outbox cannot be read is reported failed on its own; when a shared
 * step (2-4) fails, steps 2-4 run again per agent, and only the agents that fail then are
 * retried (by the queue, with backoff). In development,
 * SYNC_FAULTS injects failures between the steps (inject-fault.ts).
 */
import { agentLedger } from '../ledger/ledger-stub.ts'
import { evidenceBucket } from '../residency/bindings.ts'
import { centralPlace, groupByJurisdiction, jurisdictionsOf } from '../residency/central-rows.ts'
import type { Jurisdiction } from '../residency/jurisdiction.ts'
import type { AcceptedBatch, AgentRecord } from '../ledger/types.ts'
import { appendToLog } from './append-to-log.ts'
import { faultInjector, type FaultPoint } from './inject-fault.ts'
import { bundleItems, packBundles, type PackItem } from './pack-bundles.ts'
import { writeRows } from './write-rows.ts'

export interface AgentGroup {
  agentId: string
  batchIds: string[]
}

interface AgentRead {
  agentId: string
  records: AcceptedBatch[]
  agent: AgentRecord | null
}

/**
 * Store what the outboxes of these agents hold among the announced ids. Returns the agents whose
 * entries could not be stored, with the error; every other agent's entries are stored (or were
 * already) and acknowledged. When the shared store fails, each agent's entries are stored on
 * their own, so one agent's bad entry (say, a log conflict) cannot hold back the others'.
 */
export async function storeQueueBatch(
  env: Env,
  groups: AgentGroup[],
): Promise<Map<string, unknown>> {
  const failed = new Map<string, unknown>()
  const reads = (await readOutboxes(env, groups, failed)).filter((r) => r.records.length > 0)
  const fault = faultInjector(env as { SYNC_FAULTS?: string; ENVIRONMENT?: string })
  const itemsOf = (rs: AgentRead[]) =>
    bundleItems(rs.flatMap((r) => r.records.map((b) => ({ b, agent: r.agent! }))))
  // One pack per jurisdiction: each goes to its own bucket (worker/residency, docs/sovereignty.md).
  const where = await jurisdictionsOf(env, reads)
  try {
    for (const [j, rs] of groupByJurisdiction(reads, where))
      await storeItems(env, itemsOf(rs), rs.length, fault, j)
  } catch (e) {
    if (reads.length === 1) failed.set(reads[0]!.agentId, e)
    else {
      console.error('storing the queue batch failed; storing agent by agent', e)
      await Promise.all(
        reads.map((r) =>
          storeItems(env, itemsOf([r]), 1, fault, where.get(r.agentId) ?? null).catch(
            (e2: unknown) => void failed.set(r.agentId, e2),
          ),
        ),
      )
    }
  }
  await Promise.all(
    reads
      .filter((r) => !failed.has(r.agentId))
      .map((r) =>
        agentLedger(env, r.agentId)
          .ackOutbox(r.records.map((b) => b.batchId))
          .catch((e: unknown) => void failed.set(r.agentId, e)),
      ),
  )
  return failed
}

/** Steps 2-4 for these bundles: one pack, one log append, one D1 batch. */
async function storeItems(
  env: Env,
  items: PackItem[],
  agents: number,
  fault: (at: FaultPoint) => void,
  j: Jurisdiction | null,
): Promise<void> {
  const t0 = Date.now()
  const pack = await packBundles(items)
  fault('r2')
  await evidenceBucket(env, j).bucket.put(pack.key, pack.bytes, {
    httpMetadata: { contentType: 'application/x-ndjson' },
    customMetadata: { bundles: String(items.length), format: 'aegis-evidence-pack/1' },
  })
  fault('log')
  const indices = await appendToLog(
    env,
    items.map((i) => ({
      batchId: i.b.batchId,
      bundleSha256: i.sha256,
      acceptedAt: i.b.acceptedAt,
    })),
  )
  fault('d1')
  const w = await writeRows(env.DB, pack, indices, centralPlace(env, j))
  // One line per stored pack: the bench's storage.rows_per_batch reads it.
  console.log(
    `sync: stored ${items.length} batches of ${agents} agents: 1 R2 put, 1 log append, 1 D1 batch, ` +
      `rows ${w.rows}, rows_written ${w.billed}, pack_bytes ${pack.bytes.length}, db_bytes ${w.dbBytes} in ${Date.now() - t0} ms`,
  )
  fault('ack')
}

async function readOutboxes(
  env: Env,
  groups: AgentGroup[],
  failed: Map<string, unknown>,
): Promise<AgentRead[]> {
  const settled = await Promise.all(
    groups.map(async ({ agentId, batchIds }): Promise<AgentRead | null> => {
      try {
        const { agent, records: json } = await agentLedger(env, agentId).readOutbox(batchIds)
        const records = JSON.parse(json) as AcceptedBatch[]
        // Nothing left: already stored and acknowledged earlier.
        if (records.length > 0 && !agent)
          throw new Error(`agent ${agentId} has outbox entries but no record`)
        return { agentId, agent, records }
      } catch (e) {
        failed.set(agentId, e)
        return null
      }
    }),
  )
  return settled.filter((r): r is AgentRead => r !== null)
}
