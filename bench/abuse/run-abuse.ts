/**
 * The abuse benchmark: one legitimate simulated agent streams batches (nonce chaining,
 * as bench/sim does) while an anonymous flood hits every unauthenticated route of the real
 * collector (`wrangler dev`, local bindings) for `durationS`, from `clients` addresses (named by
 * CF-Connecting-IP, which wrangler dev keeps and Cloudflare's edge would overwrite), with
 * `concurrency` requests in flight. The flood mixes nonce requests and garbage batches for random
 * agentIds, garbage batches for the legitimate agent's own id, and garbage enrolls: all the
 * things an outsider can send without a TPM. Before the flood the agent runs alone for a short
 * baseline. Entry `abuse.flood`: the flood's rate and answers, the legitimate agent's
 * accepted/sent and round trip (median/p99, and its baseline), and what the flood left on disk and
 * in D1 (bytes overall and per storage area, files, AgentLedger objects, decisions and refusals
 * rows; the agent's own accepted batches are in there too: one decisions row and one bundle each).
 * Leaves out distributed floods beyond one machine and network distance (all on loopback).
 */
import { startCollector, type Collector } from '../harness/collector.ts'
import { areaGrowth, COLLECTOR_AREAS, stateSummary } from '../harness/state-size.ts'
import { summarize } from '../harness/stats.ts'
import { enrollSimAgent } from '../sim/enroll-sim-agent.ts'
import { sendSimBatches } from '../sim/send-sim-batches.ts'
import { nodeQuoteSigner } from '../sim/node-signer.ts'
import { createSoftTpm } from '../sim/soft-tpm.ts'
import type { BenchEntry } from '../ingest/run-ingest.ts'

export interface AbuseOptions {
  durationS: number
  concurrency: number
  clients: number
  /** Where the collector keeps its state (bench/harness/state-dir.ts). */
  stateDir?: string
  log: (s: string) => void
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d
const hex = (n: number) =>
  [...crypto.getRandomValues(new Uint8Array(n))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
const b64 = (n: number) =>
  Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString('base64url')

/** One flood request: four kinds in turn, each from the next client address. */
function floodRequest(
  url: string,
  victim: string,
  i: number,
  clients: number,
): [string, RequestInit] {
  const headers = {
    'cf-connecting-ip': `10.${(i % clients) >> 8}.${(i % clients) & 255}.7`,
    'content-type': 'application/json',
  }
  const garbageBatch = JSON.stringify({
    payload: b64(200),
    nonce: b64(32),
    quote: { attest: b64(120), signature: b64(72), pcrs: {} },
  })
  switch (i % 4) {
    case 0:
      return [`${url}/v1/agents/${hex(32)}/nonce`, { headers }]
    case 1:
      return [
        `${url}/v1/agents/${hex(32)}/batches`,
        { method: 'POST', headers, body: garbageBatch },
      ]
    case 2:
      return [`${url}/v1/agents/${victim}/batches`, { method: 'POST', headers, body: garbageBatch }]
    default:
      return [
        `${url}/v1/enroll`,
        {
          method: 'POST',
          headers,
          body: JSON.stringify({
            ekPublic: b64(300),
            akPublic: b64(90),
            locationSensor: { id: 'x', firmware: 'y' },
          }),
        },
      ]
  }
}

async function flood(url: string, victim: string, o: AbuseOptions, deadline: number) {
  const statuses: Record<string, number> = {}
  let sent = 0
  let i = 0
  const worker = async () => {
    while (Date.now() < deadline) {
      const [u, init] = floodRequest(url, victim, i++, o.clients)
      try {
        const r = await fetch(u, init)
        await r.arrayBuffer()
        statuses[r.status] = (statuses[r.status] ?? 0) + 1
      } catch (e) {
        const k = (e as { cause?: { code?: string } }).cause?.code ?? 'network error'
        statuses[k] = (statuses[k] ?? 0) + 1
      }
      sent++
    }
  }
  await Promise.all(Array.from({ length: o.concurrency }, worker))
  return { sent, statuses }
}

async function d1Rows(c: Collector) {
  const [d] = await c.d1<{ n: number }>('SELECT count(*) AS n FROM decisions')
  const [r] = await c.d1<{ n: number; counted: number }>(
    'SELECT count(*) AS n, coalesce(sum(count), 0) AS counted FROM refusals',
  )
  return {
    decisions: d?.n ?? 0,
    refusals: r?.n ?? 0,
    refusals_counted: r?.counted ?? 0,
  }
}

/** The queue consumer writes the audit trail after the fact: wait until it stops moving. */
async function settled(c: Collector, log: (s: string) => void) {
  let last = await d1Rows(c)
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 2000))
    const now = await d1Rows(c)
    if (JSON.stringify(now) === JSON.stringify(last)) return now
    log(`abuse: audit trail still moving (${now.refusals_counted} refusals counted)`)
    last = now
  }
  return last
}

export async function runAbuse(o: AbuseOptions): Promise<BenchEntry[]> {
  o.log('abuse: starting collector (wrangler dev)')
  const c = await startCollector({ snapshot: true, parentDir: o.stateDir })
  try {
    const agent = await allowAndEnroll(c)
    // Baseline: the same agent alone, so its figures under the flood have something to compare to.
    const baselineS = Math.max(3, Math.min(10, Math.round(o.durationS / 4)))
    o.log(`abuse: baseline, the legitimate agent alone for ${baselineS} s`)
    const location = { lat: 48.85, lon: 2.35, accuracyM: 10 }
    const alone = await sendSimBatches({
      collector: c.url,
      agent,
      batches: Number.MAX_SAFE_INTEGER,
      deadline: Date.now() + baselineS * 1000,
      metricsPerBatch: 8,
      location,
    })
    const before = {
      disk: stateSummary(c.persistDir),
      d1: await settled(c, o.log),
    }
    o.log(
      `abuse: flood ${o.durationS} s, ${o.concurrency} in flight, ${o.clients} client addresses; one legitimate agent`,
    )
    const t0 = performance.now()
    const deadline = Date.now() + o.durationS * 1000
    const [f, legit] = await Promise.all([
      flood(c.url, agent.agentId, o, deadline),
      sendSimBatches({
        collector: c.url,
        agent,
        batches: Number.MAX_SAFE_INTEGER,
        deadline,
        metricsPerBatch: 8,
        location,
        firstSeq: alone.length + 1,
      }),
    ])
    const seconds = (performance.now() - t0) / 1000
    const after = {
      disk: stateSummary(c.persistDir),
      d1: await settled(c, o.log),
    }
    return [floodEntry({ o, seconds, f, legit, alone, baselineS, before, after })]
  } catch (e) {
    o.log(`abuse failed; collector log tail:\n${c.logs().slice(-4000)}`)
    throw e
  } finally {
    await c.stop()
  }
}

/** Allow the legitimate soft-TPM agent's EK only, and enroll it. */
async function allowAndEnroll(c: Awaited<ReturnType<typeof startCollector>>) {
  const tpm = await createSoftTpm({ signer: nodeQuoteSigner })
  const al = await c.api('operator', '/v1/config/allowlist', {
    method: 'PUT',
    body: JSON.stringify({
      value: {
        enabled: true,
        ekPublicSha256: [tpm.agentId],
        certSerials: [],
      },
    }),
  })
  if (!al.ok) throw new Error(`allowlist: HTTP ${al.status} ${await al.text()}`)
  return enrollSimAgent(c.url, tpm, {
    id: 'bench-legit-gnss',
    firmware: 'sim-1.0',
  })
}

interface FloodRun {
  o: AbuseOptions
  seconds: number
  f: Awaited<ReturnType<typeof flood>>
  legit: Awaited<ReturnType<typeof sendSimBatches>>
  alone: Awaited<ReturnType<typeof sendSimBatches>>
  baselineS: number
  before: { disk: ReturnType<typeof stateSummary>; d1: Awaited<ReturnType<typeof settled>> }
  after: { disk: ReturnType<typeof stateSummary>; d1: Awaited<ReturnType<typeof settled>> }
}

/** The abuse.flood entry: the legitimate agent's figures alone and under the flood, state left. */
function floodEntry({
  o,
  seconds,
  f,
  legit,
  alone,
  baselineS,
  before,
  after,
}: FloodRun): BenchEntry {
  const aloneOk = alone.filter((s) => s.status === 202 || s.status === 200)
  const base = summarize(aloneOk.map((s) => s.clientMs))
  const growth = areaGrowth(before.disk, after.disk)
  const sumOf = (keep: (area: string) => boolean) =>
    Object.entries(growth)
      .filter(([k]) => keep(k))
      .reduce((n, [, v]) => n + v, 0)
  const accepted = legit.filter((s) => s.status === 202 || s.status === 200)
  const refusedCodes: Record<string, number> = {}
  for (const s of legit)
    if (!(s.status === 202 || s.status === 200))
      refusedCodes[s.code ?? s.error ?? String(s.status)] =
        (refusedCodes[s.code ?? s.error ?? String(s.status)] ?? 0) + 1
  const rtt = summarize(accepted.map((s) => s.clientMs))
  o.log(
    `abuse: flood ${f.sent} requests (${round(f.sent / seconds)}/s); legit ${accepted.length}/${legit.length} accepted, p99 ${rtt.p99_ms} ms`,
  )
  return {
    name: 'abuse.flood',
    kind: 'load',
    ...rtt,
    duration_s: round(seconds, 2),
    flood: {
      requests: f.sent,
      rate_per_s: round(f.sent / seconds),
      concurrency: o.concurrency,
      clients: o.clients,
      statuses: f.statuses,
    },
    legit: {
      sent: legit.length,
      accepted: accepted.length,
      refused: refusedCodes,
      rate_per_s: round(accepted.length / seconds),
      median_ms: rtt.median_ms,
      p99_ms: rtt.p99_ms,
      baseline: {
        duration_s: baselineS,
        sent: alone.length,
        accepted: aloneOk.length,
        rate_per_s: round(aloneOk.length / baselineS),
        median_ms: base.median_ms,
        p99_ms: base.p99_ms,
      },
    },
    // What the flood (and the legitimate batches, already counted in decisions) left behind.
    state_growth: {
      // The collector's own storage (D1, DOs, R2...); local tooling (the rate limiter
      // simulation, wrangler's observability store) separately: it is not deployed.
      bytes: sumOf((a) => COLLECTOR_AREAS.includes(a)),
      local_tooling_bytes: sumOf((a) => !COLLECTOR_AREAS.includes(a)),
      bytes_by_area: growth,
      files: after.disk.files - before.disk.files,
      ledger_objects: after.disk.ledger_objects - before.disk.ledger_objects,
      decisions_rows: after.d1.decisions - before.d1.decisions,
      refusals_rows: after.d1.refusals - before.d1.refusals,
      refusals_counted: after.d1.refusals_counted - before.d1.refusals_counted,
    },
  }
}
