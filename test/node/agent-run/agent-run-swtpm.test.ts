/**
 * `aegis agent run` end to end: the agent as a child process with a real swtpm and the real
 * collector (wrangler dev), talking through a proxy the test controls (flaky-proxy.ts) so the
 * collector can vanish, lose a response or hang while the agent is killed. One agent identity
 * goes through every scenario in turn; after each, the collector's D1 rows for the agent are
 * compared with what the agent's log says it spooled: every batch exactly once, in seq order,
 * and the agent's own counters (aegis agent status) equal to what the collector stored.
 * "Collector down": the proxy stops listening on the agent's collector port and listens again
 * later, which is what the agent sees of a collector that goes away and comes back.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startCollector, type Collector } from '../helpers/collector.ts'
import { startSwtpm, type Swtpm } from '../helpers/swtpm.ts'
import { cli } from '../helpers/cli.ts'
import { AgentProcess } from './agent-process.ts'
import { FlakyProxy } from './flaky-proxy.ts'

const PARIS = { lat: 48.8566, lon: 2.3522, accuracyM: 10 }
const FAR_AWAY = {
  name: 'Somewhere else',
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [10, 10],
        [11, 10],
        [11, 11],
        [10, 11],
        [10, 10],
      ],
    ],
  },
}

interface D1Batch {
  seq: number
  batch_id: string
  accepted_at: number
  collected_at: number
  accepts: number
}

describe('aegis agent run against swtpm and wrangler dev', () => {
  let swtpm: Swtpm
  let collector: Collector
  let proxy: FlakyProxy
  let agentId: string
  const dir = mkdtempSync(path.join(tmpdir(), 'aegis-agent-run-'))
  const stateDir = path.join(dir, 'state')
  const configFile = path.join(dir, 'agent.json')
  const runs: AgentProcess[] = []

  const start = () => {
    const a = AgentProcess.start(configFile)
    runs.push(a)
    return a
  }
  const seqsOf = (msg: string) => runs.flatMap((r) => r.events(msg).map((e) => e.seq!))
  const accepted = (a: AgentProcess) =>
    a.events('batch accepted').length + a.events('batch accepted earlier (duplicate)').length
  /** A started agent past its first accepted batch. */
  const startAccepted = async (): Promise<AgentProcess> => {
    const a = start()
    await a.waitFor(() => accepted(a) >= 1, 30_000, 'a first accepted batch')
    return a
  }
  /** A started agent whose next request the proxy holds (before or after forwarding it). */
  const startHeld = async (kind: 'hold-after-forward' | 'hold-before-forward') => {
    const a = await startAccepted()
    const held = proxy.whenHeld()
    proxy.next({ kind })
    await held
    return a
  }
  /** Wait until the agent logged `event` at least `n` times. */
  const logged = (a: AgentProcess, event: string, n: number, what: string) =>
    a.waitFor(() => a.events(event).length >= n, 30_000, what)
  const status = async () => {
    const r = await cli(['agent', 'status', '--state', stateDir, '--json'])
    expect(r.code, r.err).toBe(0)
    return JSON.parse(r.out) as Record<string, unknown> & {
      spoolDepth: number
      produced: number
      accepted: number
      rejected: number
      rejectedByCode: Record<string, number>
      lastError: { code: string } | null
      lastRejection: { code: string } | null
    }
  }
  const spoolSeqs = () =>
    readdirSync(path.join(stateDir, 'spool'))
      .filter((f) => /^\d{16}\.json$/.test(f))
      .map((f) => Number(f.slice(0, 16)))

  /** The agent must be stopped. Waits for the collector's asynchronous sync to D1. */
  const expectExactlyOnce = async () => {
    const st = await status()
    expect(st.running).toBe(false)
    let rows: D1Batch[]
    const until = Date.now() + 45_000
    for (;;) {
      // One statement per poll (each is a wrangler process): the rows, and beside each the number
      // of "accept" decisions the collector recorded for this agent.
      rows = await collector.d1<D1Batch>(
        `SELECT seq, batch_id, accepted_at, collected_at,
           (SELECT COUNT(*) FROM decisions d WHERE d.kind = 'batch' AND d.agent_id = b.agent_id AND d.verdict != 'reject') AS accepts
         FROM batches b WHERE agent_id = '${agentId}' ORDER BY accepted_at, seq`,
      )
      if (rows.length >= st.accepted || Date.now() > until) break
      await new Promise((r) => setTimeout(r, 300))
    }
    const seqs = rows.map((r) => r.seq)
    // once: no seq, payload or measurement twice
    expect(rows.length).toBe(st.accepted)
    expect(new Set(seqs).size).toBe(seqs.length)
    expect(new Set(rows.map((r) => r.batch_id)).size).toBe(rows.length)
    expect(new Set(rows.map((r) => r.collected_at)).size).toBe(rows.length)
    // in order: accepted in seq order
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    // no loss: every batch the agent spooled was stored, is still spooled, or was refused on record
    const stored = new Set(seqs)
    const waiting = new Set(spoolSeqs())
    const refused = new Set(seqsOf('batch rejected by the collector, dropped'))
    const lost = seqsOf('batch spooled').filter(
      (s) => !stored.has(s) && !waiting.has(s) && !refused.has(s),
    )
    expect(lost).toEqual([])
    expect(st.spoolDepth).toBe(waiting.size)
    expect(st.rejected).toBe(refused.size)
    // and the collector decided "accept" once per stored batch
    expect(rows[0]?.accepts).toBe(rows.length)
    return { rows, st }
  }

  beforeAll(async () => {
    // In turn: startCollector applies migrations synchronously, which would stall swtpm's wait.
    swtpm = await startSwtpm()
    collector = await startCollector()
    proxy = new FlakyProxy(collector.url)
    await proxy.up()
    writeFileSync(
      configFile,
      JSON.stringify({
        collector: proxy.url,
        tpm: swtpm.agentTpm,
        stateDir: 'state',
        intervalSeconds: 1,
        location: { fixed: PARIS },
        sensor: { id: 'gnss:ublox-m8', firmware: 'fw-3.01' },
        retry: { initialSeconds: 0.2, maxSeconds: 1 },
        requestTimeoutSeconds: 10,
        shutdownGraceSeconds: 3,
        logLevel: 'debug',
      }),
    )
  }, 180_000)

  // A failed test must not leave its agent holding the state directory for the next one.
  afterEach(async () => {
    for (const r of runs) if (r.running) await r.stop('SIGKILL').catch(() => undefined)
  })

  afterAll(async () => {
    for (const r of runs) if (r.running) await r.stop('SIGKILL').catch(() => undefined)
    await proxy?.down()
    await collector?.stop()
    await swtpm?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('enrolls on first start (waiting for the collector), measures the sensor, chains nonces, stops on SIGTERM', async () => {
    await proxy.down()
    const a = start()
    await logged(a, 'enrollment failed, will retry', 2, 'enrollment retries')
    expect(a.events('enrollment failed, will retry')[0]).toMatchObject({
      error: { code: 'ERR_COLLECTOR' },
    })
    await proxy.up()
    await a.waitFor(() => accepted(a) >= 4, 60_000, '4 accepted batches')
    agentId = a.events('enrolled')[0]!.agentId as string
    expect(agentId).toMatch(/^[0-9a-f]{64}$/)
    expect(a.events('location sensor measured')[0]).toMatchObject({
      pcr: 15,
      result: 'already-measured',
    })
    const running = await status()
    expect(running).toMatchObject({ enrolled: true, agentId, running: true })
    const exit = await a.stop('SIGTERM')
    expect(exit.code).toBe(0)
    expect(a.events('TPM2_Shutdown(CLEAR) sent')).toHaveLength(1)
    // one nonce request for the whole stream (each accepted reply carries the next nonce), plus
    // one after each failed attempt, if the warming-up collector caused any
    const failures =
      a.events('send failed, will retry').length +
      a.events('nonce refused, retrying with a new one').length
    expect(accepted(a)).toBeGreaterThan(failures + 1)
    expect(proxy.nonceRequests).toBe(1 + failures)
    expect(a.events('agent stopped')).toHaveLength(1)
    const { st } = await expectExactlyOnce()
    expect(st).toMatchObject({ running: false, rejected: 0, dropped: 0 })
    expect(st.accepted).toBeGreaterThanOrEqual(4)
    expect(st.lastSuccess).toEqual(expect.any(String))
    expect(st.stoppedAt).toEqual(expect.any(String))
  }, 90_000)

  it('collector down for a while, then back: the spool grows, then drains in order, every batch once', async () => {
    await proxy.down()
    const a = start()
    await a.waitFor(
      (r) => r.filter((x) => x.msg === 'batch spooled').length >= 5,
      30_000,
      '5 spooled batches',
    )
    await a.waitFor(() => a.events('send failed, will retry').length >= 2, 10_000, 'retries')
    expect(accepted(a)).toBe(0)
    const down = await status()
    expect(down.running).toBe(true)
    expect(down.spoolDepth).toBeGreaterThanOrEqual(4)
    expect(down.lastError?.code).toBe('ERR_COLLECTOR')
    // retries back off: the delays grow (with jitter in [d/2, d])
    const delays = a.events('send failed, will retry').map((e) => e.retryInMs as number)
    expect(delays[0]!).toBeLessThanOrEqual(200)

    const backlog = a.events('batch spooled').length
    await proxy.up()
    await a.waitFor(() => accepted(a) >= backlog + 1, 30_000, 'the backlog to drain')
    const order = a.events('batch accepted').map((e) => e.seq!)
    expect(order).toEqual([...order].sort((x, y) => x - y))
    expect(order.slice(0, backlog)).toEqual(
      a
        .events('batch spooled')
        .slice(0, backlog)
        .map((e) => e.seq),
    )
    expect((await a.stop()).code).toBe(0)
    await expectExactlyOnce()
  }, 90_000)

  it('a response lost after the collector accepted: the retry is answered as a duplicate, stored once', async () => {
    const a = await startAccepted()
    const before = proxy.forwarded.length
    proxy.next({ kind: 'drop-response' })
    await logged(a, 'batch accepted earlier (duplicate)', 1, 'the duplicate answer')
    await logged(a, 'batch accepted', 3, 'more batches after it')
    const [lost, retry] = proxy.forwarded.slice(before)
    expect(lost).toMatchObject({ status: 202, trick: 'drop-response' })
    expect(retry).toMatchObject({
      status: 200,
      body: { duplicate: true, batchId: lost!.body.batchId },
    })
    expect(a.events('batch accepted earlier (duplicate)')[0]).toMatchObject({
      batchId: lost!.body.batchId,
    })
    expect((await a.stop()).code).toBe(0)
    await expectExactlyOnce()
  }, 90_000)

  it('killed with SIGKILL mid-send after the collector accepted, then restarted: no loss, no duplicate', async () => {
    const a = await startHeld('hold-after-forward')
    const inFlight = proxy.forwarded.at(-1)!
    expect(inFlight).toMatchObject({ status: 202, trick: 'hold-after-forward' })
    expect((await a.stop('SIGKILL')).signal).toBe('SIGKILL')
    proxy.release()

    const b = start()
    await logged(b, 'batch accepted earlier (duplicate)', 1, 'the duplicate answer')
    expect(b.events('batch accepted earlier (duplicate)')[0]).toMatchObject({
      batchId: inFlight.body.batchId,
    })
    await logged(b, 'batch accepted', 2, 'batches after the restart')
    expect((await b.stop()).code).toBe(0)
    await expectExactlyOnce()
  }, 90_000)

  it('killed with SIGKILL before the request reached the collector, then restarted: the batch arrives once', async () => {
    const a = await startHeld('hold-before-forward')
    const pending = spoolSeqs()
    expect(pending.length).toBeGreaterThanOrEqual(1)
    await a.stop('SIGKILL')
    proxy.release()
    const b = start()
    await logged(b, 'batch accepted', 2, 'batches after the restart')
    expect(b.events('batch accepted')[0]!.seq).toBe(pending[0])
    expect((await b.stop()).code).toBe(0)
    await expectExactlyOnce()
  }, 90_000)

  it('SIGTERM while a request hangs: gives up after the grace period, exits 0, delivers it after restart', async () => {
    const a = await startHeld('hold-after-forward')
    const inFlight = proxy.forwarded.at(-1)!
    const t0 = Date.now()
    const exit = await a.stop('SIGTERM')
    expect(exit.code).toBe(0)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2_500) // shutdownGraceSeconds: 3
    expect(a.events('agent stopped')[0]!.spoolDepth).toBeGreaterThanOrEqual(1)
    proxy.release()
    const b = start()
    await logged(b, 'batch accepted earlier (duplicate)', 1, 'the duplicate answer')
    expect(b.events('batch accepted earlier (duplicate)')[0]).toMatchObject({
      batchId: inFlight.body.batchId,
    })
    expect((await b.stop()).code).toBe(0)
    await expectExactlyOnce()
  }, 90_000)

  it('retries a 503 and holds on an answer that is not the collector, keeping the batch', async () => {
    const a = await startAccepted()
    proxy.next({
      kind: 'answer',
      status: 503,
      body: 'upstream unavailable',
      contentType: 'text/plain',
    })
    proxy.next({
      kind: 'answer',
      status: 404,
      body: '<html>not here</html>',
      contentType: 'text/html',
    })
    await logged(a, 'send failed, will retry', 2, 'two failures')
    const [first, second] = a.events('send failed, will retry')
    expect(first).toMatchObject({
      action: 'retry',
      error: { code: 'ERR_COLLECTOR', detail: { httpStatus: 503 } },
    })
    expect(second).toMatchObject({
      action: 'hold',
      error: { code: 'ERR_COLLECTOR', detail: { httpStatus: 404 } },
    })
    await a.waitFor(() => accepted(a) >= 3, 30_000, 'delivery afterwards')
    expect((await a.stop()).code).toBe(0)
    const { st } = await expectExactlyOnce()
    expect(st.rejected).toBe(0)
  }, 90_000)

  it('refuses a second agent on the same state directory (exit 2)', async () => {
    const a = start()
    await a.waitFor(() => a.events('agent running').length === 1, 30_000, 'the first agent')
    const second = await cli(['agent', 'run', '--config', configFile])
    expect(second.code).toBe(2)
    expect(second.err).toMatch(/ERR_CONFIG/)
    expect((await a.stop()).code).toBe(0)
  }, 60_000)

  it('drops a batch refused for good (outside its geofence) with its code, without blocking the rest', async () => {
    const put = (p: string, body: unknown) =>
      collector.api('operator', p, { method: 'PUT', body: JSON.stringify(body) })
    expect((await put('/v1/zones/far-away', FAR_AWAY)).status).toBe(200)
    expect((await put(`/v1/agents/${agentId}/zones`, { zones: ['far-away'] })).status).toBe(200)
    const a = start()
    await logged(a, 'batch rejected by the collector, dropped', 2, 'two rejections')
    for (const r of a.events('batch rejected by the collector, dropped')) {
      expect(r).toMatchObject({ httpStatus: 403, error: { code: 'ERR_GEO_OUTSIDE' } })
    }
    const st = await status()
    expect(st.rejectedByCode.ERR_GEO_OUTSIDE).toBeGreaterThanOrEqual(2)
    expect(st.lastRejection?.code).toBe('ERR_GEO_OUTSIDE')
    expect(st.spoolDepth).toBeLessThanOrEqual(1) // refused batches do not pile up behind the head
    expect((await a.stop()).code).toBe(0)
    const { st: end } = await expectExactlyOnce()
    expect(end.rejected).toBeGreaterThanOrEqual(2)
    // Last on purpose: widening the zones again reaches the collector's cached agent record only
    // after its TTL (worker/ingest/agent-cache.ts), so later batches could still be refused.
    expect((await put(`/v1/agents/${agentId}/zones`, { zones: [] })).status).toBe(200)
  }, 90_000)
})
