/**
 * Abuse resistance through real HTTP: swtpm agents, the real collector (wrangler dev).
 * An "attacker" is any client: it only knows public things (agentIds, an agent's enroll request),
 * and `CF-Connecting-IP` names its address (wrangler dev keeps a client-sent value; Cloudflare's
 * edge overwrites it, so this only simulates many clients locally).
 *  1. 20 anonymous nonce requests between an agent's batches: its next batch is accepted.
 *  2. 6 replays of an agent's enroll request between its challenge and activation: it activates.
 *  3. 300 requests for random agentIds: no Durable Object storage appears, the audit trail grows
 *     by aggregated rows only.
 *  4. 400 garbage enrolls from one client: 429s appear, the audit trail grows by a bounded,
 *     aggregated amount.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BatchPayload } from '../../attest/ingest/batch-payload.ts'
import { encodePayload, quoteBatch } from '../../agent/batch/make-batch.ts'
import { loadState, type AgentState } from '../../agent/state/agent-state.ts'
import { Tpm } from '../../agent/tpm/tpm.ts'
import { databases, ledgerObjects, stateFiles } from '../../bench/harness/state-size.ts'
import { startCollector, type Collector } from './helpers/collector.ts'
import { startSwtpm, type Swtpm } from './helpers/swtpm.ts'
import { enrollWithCli } from './helpers/fixtures.ts'

const ledgerFiles = (c: Collector) => ledgerObjects(stateFiles(c.persistDir).keys())
const randomId = () =>
  [...crypto.getRandomValues(new Uint8Array(32))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')

/**
 * A pass-through proxy in front of the collector that, like an on-path attacker, replays the
 * agent's enroll request `replays` times (from another client address) after the collector
 * answered it and before the agent sees the answer, i.e. between its challenge and activation.
 */
async function replayingProxy(
  target: string,
  replays: number,
): Promise<{
  url: string
  seen: number[]
  activation?: { path: string; body: string }
  close(): Promise<void>
}> {
  const seen: number[] = []
  const out: { activation?: { path: string; body: string } } = {}
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (d: Buffer) => chunks.push(d))
    req.on('end', () => {
      void (async () => {
        const body = chunks.length ? Buffer.concat(chunks) : undefined
        if (req.url?.endsWith('/activate') && body)
          out.activation = { path: req.url, body: body.toString('utf8') }
        const headers = {
          'content-type': req.headers['content-type'] ?? 'application/json',
        }
        const r = await fetch(target + req.url, {
          method: req.method,
          headers,
          body,
        })
        const text = await r.text()
        if (req.method === 'POST' && req.url === '/v1/enroll') {
          for (let i = 0; i < replays; i++) {
            const again = await fetch(target + req.url, {
              method: 'POST',
              headers: { ...headers, 'cf-connecting-ip': '203.0.113.66' },
              body,
            })
            seen.push(again.status)
            await again.text()
          }
        }
        res.writeHead(r.status, {
          'content-type': r.headers.get('content-type') ?? 'application/json',
        })
        res.end(text)
      })().catch((e: unknown) => {
        res.writeHead(502)
        res.end(String(e))
      })
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return Object.assign(out, {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  })
}

describe('abuse resistance against swtpm and wrangler dev', () => {
  let swtpm: Swtpm
  let collector: Collector
  let a: AgentState
  let seq = 1
  const tmp: string[] = []

  const sum = async (sql: string) =>
    Number(Object.values((await collector.d1(sql))[0] ?? { n: 0 })[0] ?? 0)
  /** The queue consumer writes the audit trail asynchronously: wait until `sql` reaches `want`. */
  const waitFor = async (sql: string, want: number, ms = 30_000) => {
    const until = Date.now() + ms
    let n = await sum(sql)
    while (n < want && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 1000))
      n = await sum(sql)
    }
    return n
  }

  beforeAll(async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'aegis-abuse-swtpm-'))
    tmp.push(stateDir)
    swtpm = await startSwtpm({ stateDir, provision: true })
    collector = await startCollector()
  }, 180_000)

  afterAll(async () => {
    await collector?.stop()
    await swtpm?.stop()
    for (const d of tmp) rmSync(d, { recursive: true, force: true })
  })

  it('(2) an agent whose enroll request is replayed 6 times before activation still activates', async () => {
    const proxy = await replayingProxy(collector.url, 6)
    const dir = mkdtempSync(path.join(tmpdir(), 'aegis-abuse-agent-'))
    tmp.push(dir)
    try {
      const r = await enrollWithCli(proxy.url, swtpm.agentTpm, dir, '--ek', 'rsa')
      expect(r.code, r.out + r.err).toBe(0)
    } finally {
      await proxy.close()
    }
    // Each replay got its own challenge (201): under the old 4-slot store the 4th evicted the agent's.
    expect(proxy.seen).toEqual([201, 201, 201, 201, 201, 201])
    a = (await loadState(dir))!
    const rows = await collector.d1<{ status: string }>(
      `SELECT status FROM agents WHERE agent_id = '${a.agentId}'`,
    )
    expect(rows).toEqual([{ status: 'active' }])
    // The used challenge is remembered: replaying the agent's activation request is refused.
    expect(proxy.activation).toBeDefined()
    const again = await fetch(collector.url + proxy.activation!.path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'cf-connecting-ip': '203.0.113.66',
      },
      body: proxy.activation!.body,
    })
    expect([again.status, ((await again.json()) as { code: string }).code]).toEqual([
      409,
      'ERR_ENROLL_USED',
    ])
  }, 120_000)

  it("(1) 20 anonymous nonce requests between two batches do not void the agent's nonce", async () => {
    const tpm = await Tpm.open(swtpm.agentTpm)
    try {
      const payload = (): BatchPayload => ({
        agentId: a.agentId,
        seq: ++seq,
        collectedAt: Date.now(),
        location: {
          lat: 48.8566,
          lon: 2.3522,
          accuracyM: 10,
          fixTime: Date.now(),
          sensorId: a.sensor.id,
        },
        metrics: [{ name: 'test.value', value: seq, unit: '1' }],
      })
      const post = (body: unknown) =>
        fetch(`${collector.url}/v1/agents/${a.agentId}/batches`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      const flood = async () => {
        for (let i = 0; i < 20; i++) {
          const r = await fetch(`${collector.url}/v1/agents/${a.agentId}/nonce`, {
            headers: { 'cf-connecting-ip': `203.0.113.${i}` },
          })
          expect(r.status).toBe(200)
          await r.text()
        }
      }
      const first = (await (
        await fetch(`${collector.url}/v1/agents/${a.agentId}/nonce`)
      ).json()) as { nonce: string }
      await flood()
      const r1 = await post(await quoteBatch(tpm, a, encodePayload(payload()), first.nonce))
      const b1 = (await r1.json()) as { nextNonce: string }
      expect(r1.status, JSON.stringify(b1)).toBe(202)
      // The chained nonce survives a flood too.
      await flood()
      const r2 = await post(await quoteBatch(tpm, a, encodePayload(payload()), b1.nextNonce))
      expect(r2.status, await r2.clone().text()).toBe(202)
    } finally {
      await tpm.close()
    }
  }, 120_000)

  it('(3) 300 requests for random agentIds create no Durable Object storage and aggregate in the audit trail', async () => {
    // Test (1)'s batches reach R2 and the transparency log asynchronously: let that settle first.
    expect(await waitFor('SELECT count(*) AS n FROM batches', 2)).toBe(2)
    const before = stateFiles(collector.persistDir)
    const ledgersBefore = ledgerFiles(collector)
    const decisionsBefore = await sum('SELECT count(*) AS n FROM decisions')
    const statuses: number[] = []
    for (let i = 0; i < 300; i++) {
      // 10 client addresses, 30 requests each: under the refusal limit, so every request is
      // really handled (a 429 would prove nothing about storage).
      const headers = {
        'cf-connecting-ip': `198.51.100.${i % 10}`,
        'content-type': 'application/json',
      }
      const id = randomId()
      const r =
        i % 2 === 0
          ? await fetch(`${collector.url}/v1/agents/${id}/nonce`, { headers })
          : await fetch(`${collector.url}/v1/agents/${id}/batches`, {
              method: 'POST',
              headers,
              body: '{"payload":"AA","nonce":"AA","quote":{}}',
            })
      statuses.push(r.status)
      await r.text()
    }
    expect(new Set(statuses)).toEqual(new Set([404]))
    const counted = await waitFor(
      "SELECT coalesce(sum(count), 0) AS n FROM refusals WHERE code = 'ERR_AGENT_UNKNOWN'",
      300,
    )
    expect(counted).toBe(300)
    // No AgentLedger database was created, and no new file of any kind other than D1's own.
    expect(ledgerFiles(collector)).toEqual(ledgersBefore)
    // The only other database allowed to appear is the local rate limiter's own counter object
    // (wrangler dev simulates the limiter service with a Durable Object).
    const added = databases(stateFiles(collector.persistDir).keys()).filter((f) => !before.has(f))
    expect(added.filter((f) => !f.startsWith('v3/ratelimit/'))).toEqual([])
    // Aggregated: at most one row per (minute, kind, client); no agentId kept; no decisions rows.
    const rows = await collector.d1<{ agent_id: string }>(
      "SELECT agent_id FROM refusals WHERE code = 'ERR_AGENT_UNKNOWN'",
    )
    expect(rows.length).toBeLessThanOrEqual(2 * 2 * 10)
    expect(new Set(rows.map((r) => r.agent_id))).toEqual(new Set(['']))
    expect(await sum('SELECT count(*) AS n FROM decisions')).toBe(decisionsBefore)
  }, 240_000)

  it('(4) 400 garbage enrolls from one client: 429s appear, the audit trail grows by a bounded aggregate', async () => {
    const client = '192.0.2.44'
    const rowsBefore = await sum('SELECT count(*) AS n FROM refusals')
    const decisionsBefore = await sum('SELECT count(*) AS n FROM decisions')
    const statuses: number[] = []
    let retryAfter: string | null = null
    let problem: { code?: string } = {}
    for (let i = 0; i < 400; i++) {
      const r = await fetch(`${collector.url}/v1/enroll`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'cf-connecting-ip': client,
        },
        body: JSON.stringify({
          ekPublic: 'AAAA',
          akPublic: 'AAAA',
          locationSensor: { id: 'x', firmware: 'y' },
          junk: i,
        }),
      })
      statuses.push(r.status)
      if (r.status === 429 && retryAfter === null) {
        retryAfter = r.headers.get('retry-after')
        problem = (await r.json()) as { code?: string }
      } else await r.text()
    }
    const limited = statuses.filter((s) => s === 429).length
    // [env.dev] RATE_LIMIT_CLIENT: 200 refusals per minute (per-location counting is approximate).
    expect(limited).toBeGreaterThanOrEqual(150)
    expect(statuses.slice(0, 150).every((s) => s === 400)).toBe(true)
    expect(Number(retryAfter)).toBeGreaterThan(0)
    expect(problem.code).toBe('ERR_RATE_LIMITED')
    // Only refusals within the limit, and the one that crossed it (answered with its own code,
    // counted as ERR_RATE_LIMITED), are counted, in a few rows; the 429s are not.
    const counted = await waitFor(
      `SELECT coalesce(sum(count), 0) AS n FROM refusals WHERE client = '${client}'`,
      400 - limited,
    )
    expect(counted).toBe(400 - limited)
    const rowsAfter = await sum('SELECT count(*) AS n FROM refusals')
    expect(rowsAfter - rowsBefore).toBeLessThanOrEqual(4) // (ERR_INPUT_MALFORMED, ERR_RATE_LIMITED) x <= 2 minutes
    expect(await sum('SELECT count(*) AS n FROM decisions')).toBe(decisionsBefore)
  }, 240_000)
})
