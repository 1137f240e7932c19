/**
 * Append stored bundles to the transparency log (worker/log/ProvenanceLog). Idempotent by
 * batchId: a bundle appended twice keeps its first index. Returns batchId -> leaf index.
 */
import { unwrap } from '../ledger/rpc-result.ts'
import { provenanceLog } from '../log/log-stub.ts'

export async function appendToLog(
  env: Env,
  entries: { batchId: string; bundleSha256: string }[],
): Promise<Map<string, number>> {
  if (entries.length === 0) return new Map()
  const res = unwrap(await provenanceLog(env).append(entries))
  return new Map(res.map((r) => [r.batchId, r.index]))
}
