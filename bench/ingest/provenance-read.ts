/**
 * `provenance.read`: an auditor's retrieval of one stored batch, `GET /v1/provenance/{batchId}`
 * (D1 row, the bundle's byte range of its R2 pack, inclusion proof and signed tree head from the
 * log), timed on the client for up to `n` stored batches picked evenly, one at a time after the
 * load. Issue 14 asks for under 50 ms locally with bundles packed. Every answer must be 200 with
 * the bundle hash D1 recorded, or the entry counts it as an error.
 */
import type { Collector } from '../harness/collector.ts'
import { summarize } from '../harness/stats.ts'
import type { BenchEntry } from './run-ingest.ts'

export async function provenanceRead(c: Collector, ids: string[], n = 50): Promise<BenchEntry> {
  const step = Math.max(1, Math.floor(ids.length / n))
  const picked = ids.filter((_, i) => i % step === 0).slice(0, n)
  const times: number[] = []
  let errors = 0
  for (const id of picked) {
    const t0 = performance.now()
    const res = await c.api('auditor', `/v1/provenance/${id}`)
    const body = (await res.json()) as { batchId?: string; bundle?: string }
    const ms = performance.now() - t0
    if (res.status === 200 && body.batchId === id && body.bundle) times.push(ms)
    else errors++
  }
  return { name: 'provenance.read', kind: 'load', ...summarize(times), errors }
}
