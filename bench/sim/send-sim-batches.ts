/**
 * One simulated agent's batch stream against the real collector, as agent/batch does: one nonce
 * request, then each POST /v1/agents/{id}/batches carries a payload (agentId, rising seq,
 * collectedAt, a fixed location fix from the enrolled sensor, `metricsPerBatch` metrics) quoted
 * with qualifyingData = SHA-256(nonce || SHA-256(payload)), and the reply's nextNonce feeds the
 * next batch. A rejected batch costs a fresh nonce. Every POST is timed on the client (request
 * sent to body read) and its `Server-Timing` (verify, ledger, total) recorded. A POST that gets no
 * answer (connection reset) is retried up to twice with the same payload under a fresh nonce;
 * every attempt is a sample, so failures are counted, not hidden.
 */
import { fromB64url, toB64url, utf8 } from '../../attest/bytes/encoding.ts'
import { batchQualifyingData } from '../../attest/binding/qualifying-data.ts'
import type { BatchPayload } from '../../attest/ingest/batch-payload.ts'
import { pcrsToHex } from '../../attest/policy/check-pcr-policy.ts'
import type { SimAgent } from './enroll-sim-agent.ts'
import type { BatchReply } from '../../attest/wire/types.ts'

export interface BatchSample {
  agentId: string
  seq: number
  /** 0 for the first POST of a batch, then 1, 2 for retries after a lost answer. */
  attempt: number
  /** Client round trip of the POST (ms). */
  clientMs: number
  status: number
  /** Set for 202 and for 200 duplicates. */
  batchId?: string
  duplicate?: boolean
  nextNonce?: string
  code?: string
  /** From Server-Timing, when present. */
  verifyMs?: number
  ledgerMs?: number
  totalMs?: number
  /** Set when the request never got an HTTP answer. */
  error?: string
}

export interface SendOptions {
  collector: string
  agent: SimAgent
  /** Stop after this many batches ... */
  batches: number
  /** ... or at this time (ms epoch), whichever comes first. */
  deadline?: number
  metricsPerBatch: number
  location: { lat: number; lon: number; accuracyM: number }
  /** First seq to use; seq rises by one per batch. */
  firstSeq?: number
  /** Pace: start batch i no earlier than i * intervalMs after the first (soak runs); unset: flat out. */
  intervalMs?: number
  onSample?: (s: BatchSample) => void
}

export function parseServerTiming(h: string | null): Record<string, number> {
  const out: Record<string, number> = {}
  for (const part of (h ?? '').split(',')) {
    const m = /^\s*([A-Za-z0-9_-]+)\s*(?:;.*?\bdur=([0-9.]+))?/.exec(part)
    if (m?.[2] !== undefined) out[m[1]!] = Number(m[2])
  }
  return out
}

async function getNonce(collector: string, agentId: string): Promise<string> {
  const res = await fetch(`${collector}/v1/agents/${agentId}/nonce`)
  const text = await res.text()
  if (!res.ok) throw new Error(`nonce: HTTP ${res.status} ${text}`)
  return (JSON.parse(text) as { nonce: string }).nonce
}

function metrics(n: number, seq: number): BatchPayload['metrics'] {
  return Array.from({ length: n }, (_, i) => ({
    name: `bench.metric_${i}`,
    value: Math.round(Math.random() * 1e6) / 100 + seq,
    unit: '1',
  }))
}

const MAX_RETRIES = 2

async function postBatch(
  collector: string,
  agentId: string,
  seq: number,
  body: string,
  attempt: number,
): Promise<BatchSample> {
  const sample: BatchSample = { agentId, seq, attempt, clientMs: 0, status: 0 }
  const t0 = performance.now()
  try {
    const res = await fetch(`${collector}/v1/agents/${agentId}/batches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    const text = await res.text()
    sample.clientMs = performance.now() - t0
    sample.status = res.status
    const st = parseServerTiming(res.headers.get('server-timing'))
    if (st.verify !== undefined) sample.verifyMs = st.verify
    if (st.ledger !== undefined) sample.ledgerMs = st.ledger
    if (st.total !== undefined) sample.totalMs = st.total
    const reply = JSON.parse(text) as Partial<BatchReply> & { code?: string }
    if (res.ok) {
      sample.batchId = reply.batchId
      sample.nextNonce = reply.nextNonce
      if (reply.duplicate) sample.duplicate = true
    } else {
      sample.code = reply.code ?? `HTTP ${res.status}`
    }
  } catch (e) {
    sample.clientMs = performance.now() - t0
    const cause = (e as { cause?: { code?: string; message?: string } }).cause
    sample.error = cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e))
  }
  return sample
}

export async function sendSimBatches(o: SendOptions): Promise<BatchSample[]> {
  const { agent, collector } = o
  const samples: BatchSample[] = []
  let nonce: string | undefined
  let seq = o.firstSeq ?? 1
  // A random phase spreads paced agents over the interval instead of sending in lockstep.
  const start = Date.now() + (o.intervalMs ? Math.random() * o.intervalMs : 0)
  for (
    let i = 0;
    i < o.batches && (o.deadline === undefined || Date.now() < o.deadline);
    i++, seq++
  ) {
    if (o.intervalMs) {
      const wait = start + i * o.intervalMs - Date.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    }
    const now = Date.now()
    const payload: BatchPayload = {
      agentId: agent.agentId,
      seq,
      collectedAt: now,
      location: { ...o.location, fixTime: now, sensorId: agent.sensor.id },
      metrics: metrics(o.metricsPerBatch, seq),
    }
    const bytes = utf8(JSON.stringify(payload))
    // A lost answer is retried with the same payload bytes (so the same batchId) under a fresh
    // nonce, as the agent's uploader does: the first nonce may already be spent, and the ledger
    // answers a batch it already admitted with 200 {duplicate: true} and the original receipt.
    for (let attempt = 0; ; attempt++) {
      nonce ??= await getNonce(collector, agent.agentId)
      const q = agent.tpm.quote(batchQualifyingData(fromB64url(nonce), bytes), agent.selection)
      const body = JSON.stringify({
        payload: toB64url(bytes),
        nonce,
        quote: {
          attest: toB64url(q.attest),
          signature: toB64url(q.signature),
          pcrs: pcrsToHex(q.pcrs),
        },
      })
      const sample = await postBatch(collector, agent.agentId, seq, body, attempt)
      samples.push(sample)
      o.onSample?.(sample)
      nonce = sample.status >= 200 && sample.status < 300 ? sample.nextNonce : undefined
      if (!sample.error || attempt >= MAX_RETRIES) break
    }
  }
  return samples
}
