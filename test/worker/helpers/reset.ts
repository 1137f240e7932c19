/**
 * Storage is shared by the tests of a file in this pool: start each test from empty D1 tables and
 * empty ledgers for the agents it names (only those that exist: resetting must not create a
 * ledger, tests assert that unknown agents have none), and drop the worker's per-isolate caches
 * (config, rate-limit blocks).
 */
import { listDurableObjectIds, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { invalidateConfigCache } from '../../../worker/config/settings-store.ts'
import { clearBlocks } from '../../../worker/ratelimit/rate-limit.ts'

const TABLES = [
  'agents',
  'settings',
  'zones',
  'decisions',
  'refusals',
  'batches',
  'rollups',
  'dead_letters',
  'totals',
  'decision_totals',
  'agent_totals',
  'sync_packs',
  'metric_names',
]
const LEDGER_TABLES = ['agent', 'used_challenges', 'replay', 'accepted', 'outbox']

export async function resetState(agentIds: string[] = []): Promise<void> {
  await env.DB.batch(TABLES.map((t) => env.DB.prepare(`DELETE FROM ${t}`)))
  const existing = new Set(
    (await listDurableObjectIds(env.AGENT_LEDGER)).map((id) => id.toString()),
  )
  for (const name of agentIds) {
    const id = env.AGENT_LEDGER.idFromName(name)
    if (!existing.has(id.toString())) continue
    await runInDurableObject(env.AGENT_LEDGER.get(id), async (ledger, state) => {
      ledger.forgetCopies() // the rows below go behind the ledger's back
      await state.storage.deleteAlarm()
      for (const t of LEDGER_TABLES) state.storage.sql.exec(`DELETE FROM ${t}`)
    })
  }
  invalidateConfigCache()
  clearBlocks()
}

/** Whether an AgentLedger exists (was ever created) for this agentId. */
export async function ledgerExists(agentId: string): Promise<boolean> {
  const want = env.AGENT_LEDGER.idFromName(agentId).toString()
  return (await listDurableObjectIds(env.AGENT_LEDGER)).some((id) => id.toString() === want)
}
