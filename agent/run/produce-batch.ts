/**
 * Build one batch and put it in the spool (DESIGN.md "Batch ingest" step 2, minus the quote,
 * which happens at send time with a fresh nonce): host metrics now, the newest fresh fix, a seq
 * persisted before use, the payload encoded once. The spool keeps these exact bytes until the
 * collector accepts them, so a retry is byte-identical and recognised by its batchId.
 * No fresh fix means no batch this interval: the collector would refuse a payload without a
 * valid position, and an invented one would be worse.
 */
import { MAX_METRICS, type BatchPayload } from '../../attest/ingest/batch-payload.ts'
import { encodePayload } from '../batch/make-batch.ts'
import { nextSeq } from '../batch/sequence.ts'
import type { LocationSource } from '../location/fix.ts'
import { applyPrivacy, type PrivacyConfig } from '../privacy/apply-privacy.ts'
import type { HostMetrics } from '../metrics/collect-host.ts'
import type { Spool } from '../spool/spool.ts'
import type { AgentState } from '../state/agent-state.ts'

/** The payload schema's bound on accuracyM (attest/ingest/batch-payload.ts). */
const MAX_ACCURACY_M = 100_000

export type Produced =
  | { kind: 'spooled'; seq: number; size: number; dropped: number[]; unavailable: string[] }
  | { kind: 'no-fix' }

export async function produceBatch(d: {
  state: AgentState
  stateDir: string
  spool: Spool
  host: HostMetrics
  location: LocationSource
  /** Labels from the config, added to every metric (a metric's own labels win). */
  labels?: Record<string, string>
  /** Sensitive labels and location precision (docs/sovereignty.md), with the device label key. */
  privacy?: { config: PrivacyConfig; key: Uint8Array }
  now?: () => number
}): Promise<Produced> {
  const now = d.now ?? Date.now
  const { metrics, unavailable } = await d.host.collect()
  const collectedAt = now()
  const fix = d.location.current(collectedAt)
  if (!fix || fix.accuracyM > MAX_ACCURACY_M) return { kind: 'no-fix' }
  const seq = await nextSeq(d.stateDir)
  const payload: BatchPayload = {
    agentId: d.state.agentId,
    seq,
    collectedAt,
    location: {
      lat: fix.lat,
      lon: fix.lon,
      accuracyM: fix.accuracyM,
      fixTime: Math.round(fix.fixTime),
      sensorId: d.state.sensor.id,
    },
    metrics: withLabels(metrics.slice(0, MAX_METRICS), d.labels),
  }
  // Before encoding: the quote covers exactly what leaves the device.
  const bytes = encodePayload(
    d.privacy ? applyPrivacy(payload, d.privacy.config, d.privacy.key) : payload,
  )
  const { dropped } = await d.spool.append(seq, bytes)
  return { kind: 'spooled', seq, size: bytes.length, dropped, unavailable }
}

/** The payload schema allows 8 labels per metric: the config's fill what the metric leaves. */
function withLabels<M extends { labels?: Record<string, string> }>(
  metrics: M[],
  labels: Record<string, string> | undefined,
): M[] {
  if (!labels || !Object.keys(labels).length) return metrics
  return metrics.map((m) => {
    const merged = Object.entries({ ...labels, ...m.labels })
    return { ...m, labels: Object.fromEntries(merged.slice(-8)) }
  })
}
