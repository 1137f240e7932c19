/**
 * Storage is shared by the tests of a file in this pool: start each test from empty D1 tables and
 * empty ledgers for the agents it names, and drop the worker's per-isolate config cache.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { invalidateConfigCache } from '../../../worker/config/settings-store.ts'

const TABLES = ['agents', 'settings', 'zones', 'decisions', 'batches', 'rollups', 'dead_letters']

export async function resetState(agentIds: string[] = []): Promise<void> {
  await env.DB.batch(TABLES.map((t) => env.DB.prepare(`DELETE FROM ${t}`)))
  for (const id of agentIds) {
    const stub = env.AGENT_LEDGER.get(env.AGENT_LEDGER.idFromName(id))
    await runInDurableObject(stub, async (_o, state) => {
      await state.storage.deleteAlarm()
      for (const t of ['agent', 'pending', 'nonces', 'replay', 'accepted', 'outbox']) state.storage.sql.exec(`DELETE FROM ${t}`)
    })
  }
  invalidateConfigCache()
}
