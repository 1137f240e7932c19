/**
 * Batch ingest end to end: real swtpm quotes, the real collector (wrangler dev), real HTTP.
 * Happy path through the CLI, then each rejection with its stable code, the 50-way replay race,
 * audit mode, a TPM state rollback (a restored swtpm snapshot: the cloned-VM attack), and a boot
 * state change (PCR 7 extended) last, since it changes the TPM for everything after it.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fromB64url, toB64url, toHex, utf8 } from '../../attest/bytes/encoding.ts'
import { sha256 } from '@noble/hashes/sha2.js'
import type { BatchPayload } from '../../attest/ingest/batch-payload.ts'
import { encodePayload, quoteBatch, type BatchRequest } from '../../agent/batch/make-batch.ts'
import { ensureSensorMeasured } from '../../agent/sensor/sensor-pcr.ts'
import { loadState, type AgentState } from '../../agent/state/agent-state.ts'
import { extendPcr } from '../../agent/tpm/quote.ts'
import { Tpm } from '../../agent/tpm/tpm.ts'
import { startCollector, type Collector } from './helpers/collector.ts'
import { startSwtpm, type Swtpm } from './helpers/swtpm.ts'
import { cli } from './helpers/cli.ts'
import { shutdown } from '../../agent/tpm/commands/shutdown.ts'
import { PARIS_POLYGON, sendWithCli } from './helpers/fixtures.ts'

const PARIS = { lat: 48.8566, lon: 2.3522, accuracyM: 10 }
const BERLIN = { lat: 52.52, lon: 13.405, accuracyM: 10 }
const PARIS_ZONE = {
  name: 'Paris',
  geometry: PARIS_POLYGON,
  countries: ['FR'],
}

describe('batch ingest against swtpm and wrangler dev', () => {
  let swtpm: Swtpm
  let collector: Collector
  let tpm: Tpm
  let a: AgentState
  let b: AgentState
  let aDir: string
  let seq = 1_000_000
  const tmp: string[] = []
  const stateDir = mkdtempSync(path.join(tmpdir(), 'aegis-swtpm-state-'))
  tmp.push(stateDir)

  const nonceFor = async (agentId: string) => {
    const r = await fetch(`${collector.url}/v1/agents/${agentId}/nonce`)
    expect(r.status).toBe(200)
    return ((await r.json()) as { nonce: string }).nonce
  }
  const payload = (s: AgentState, over: Partial<BatchPayload> = {}, loc = PARIS): BatchPayload => ({
    agentId: s.agentId,
    seq: ++seq,
    collectedAt: Date.now(),
    location: { ...loc, fixTime: Date.now(), sensorId: s.sensor.id },
    metrics: [{ name: 'test.value', value: seq, unit: '1' }],
    ...over,
  })
  const build = async (s: AgentState, p: BatchPayload, nonce?: string): Promise<BatchRequest> =>
    quoteBatch(tpm, s, encodePayload(p), nonce ?? (await nonceFor(s.agentId)))
  const post = (agentId: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${collector.url}/v1/agents/${agentId}/batches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
  const code = async (r: Response) => ((await r.json()) as { code?: string }).code
  const setPolicy = async (over: Record<string, unknown>) => {
    const cur = (await (await collector.api('operator', '/v1/config/policy')).json()) as {
      value: Record<string, unknown>
    }
    const res = await collector.api('operator', '/v1/config/policy', {
      method: 'PUT',
      body: JSON.stringify({ value: { ...cur.value, ...over } }),
    })
    expect(res.status, await res.clone().text()).toBe(200)
  }

  beforeAll(async () => {
    swtpm = await startSwtpm({ stateDir, provision: true })
    collector = await startCollector()
    aDir = mkdtempSync(path.join(tmpdir(), 'aegis-agent-a-'))
    const bDir = mkdtempSync(path.join(tmpdir(), 'aegis-agent-b-'))
    tmp.push(aDir, bDir)
    const base = ['agent', 'enroll', '--collector', collector.url, '--tpm', swtpm.agentTpm]
    expect((await cli([...base, '--state', aDir, '--ek', 'rsa'])).code).toBe(0)
    const rb = await cli([...base, '--state', bDir, '--ek', 'ecc', '--ak-handle', '0x81008002'])
    expect(rb.code, rb.out).toBe(0)
    a = (await loadState(aDir))!
    b = (await loadState(bDir))!
    tpm = await Tpm.open(swtpm.agentTpm)
  }, 180_000)

  afterAll(async () => {
    await tpm?.close()
    await collector?.stop()
    await swtpm?.stop()
    for (const d of tmp) rmSync(d, { recursive: true, force: true })
  })

  it('accepts batches of real host metrics sent by the CLI, chaining nonces', async () => {
    await tpm.close() // swtpm serves one client at a time: let the CLI have it
    const r = await sendWithCli(aDir, '3', '48.8566,2.3522,10')
    tpm = await Tpm.open(swtpm.agentTpm)
    expect(r.code, r.out + r.err).toBe(0)
    const out = JSON.parse(r.out) as {
      sent: number
      accepted: number
      rejected: unknown[]
      batchIds: string[]
    }
    expect(out).toMatchObject({ sent: 3, accepted: 3, rejected: [] })
    expect(new Set(out.batchIds).size).toBe(3)
    for (const id of out.batchIds) expect(id).toMatch(/^[0-9a-f]{64}$/)
  })

  it('answers 202 with batchId, a verifiable receipt, the next nonce and Server-Timing', async () => {
    const p = payload(a)
    const res = await post(a.agentId, await build(a, p))
    const body = (await res.json()) as Record<string, string>
    expect(res.status, JSON.stringify(body)).toBe(202)
    expect(body.batchId).toMatch(/^[0-9a-f]{64}$/)
    expect(body.verdict).toBe('accept')
    expect(body.zone).toBe('dev-world')
    expect(body.nextNonce).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(res.headers.get('server-timing')).toMatch(/verify;dur=\d+\.\d+/)
    const jwks = await (await fetch(`${collector.url}/.well-known/jwks.json`)).json()
    const { createLocalJWKSet, compactVerify } = await import('jose')
    const { payload: claims } = await compactVerify(body.receipt!, createLocalJWKSet(jwks as never))
    expect(JSON.parse(new TextDecoder().decode(claims))).toMatchObject({
      batchId: body.batchId,
      agentId: a.agentId,
    })
    // the chained nonce works for the next batch
    const next = await post(a.agentId, await build(a, payload(a), body.nextNonce))
    expect(next.status).toBe(202)
  })

  it('rejects a replayed request, and of 50 parallel replays exactly one is accepted', async () => {
    const req = await build(a, payload(a))
    expect((await post(a.agentId, req)).status).toBe(202)
    const again = await post(a.agentId, req)
    expect([again.status, await code(again)]).toEqual([409, 'ERR_NONCE_REPLAYED'])

    const fresh = await build(a, payload(a))
    const results = await Promise.all(Array.from({ length: 50 }, () => post(a.agentId, fresh)))
    const statuses = results.map((r) => r.status)
    expect(statuses.filter((s) => s === 202)).toHaveLength(1)
    expect(statuses.filter((s) => s === 409)).toHaveLength(49)
  })

  it('recognises the retry of an accepted payload with a fresh nonce and stores nothing twice', async () => {
    const p = encodePayload(payload(a))
    const first = await post(a.agentId, await quoteBatch(tpm, a, p, await nonceFor(a.agentId)))
    const firstBody = (await first.json()) as { batchId: string; receipt: string }
    expect(first.status).toBe(202)
    const retry = await post(a.agentId, await quoteBatch(tpm, a, p, await nonceFor(a.agentId)))
    expect(retry.status).toBe(200)
    expect(await retry.json()).toMatchObject({
      batchId: firstBody.batchId,
      receipt: firstBody.receipt,
      duplicate: true,
    })
  })

  it('rejects the nonce of another agent', async () => {
    const res = await post(a.agentId, await build(a, payload(a), await nonceFor(b.agentId)))
    expect([res.status, await code(res)]).toEqual([403, 'ERR_NONCE_UNKNOWN'])
  })

  it('rejects a payload changed after quoting', async () => {
    const req = await build(a, payload(a))
    const tampered = {
      ...req,
      payload: toB64url(utf8(JSON.stringify({ ...payload(a), seq: seq + 100 }))),
    }
    const res = await post(a.agentId, tampered)
    expect([res.status, await code(res)]).toEqual([403, 'ERR_QUOTE_NONCE'])
  })

  it('rejects a seq that does not increase', async () => {
    const p = payload(a)
    expect((await post(a.agentId, await build(a, p))).status).toBe(202)
    const res = await post(a.agentId, await build(a, { ...p, collectedAt: p.collectedAt + 1 }))
    expect([res.status, await code(res)]).toEqual([409, 'ERR_SEQ_REPLAYED'])
  })

  it('rejects an expired nonce', async () => {
    await setPolicy({ nonceTtlSeconds: 5 })
    await new Promise((r) => setTimeout(r, 5_100)) // the collector caches config for 5 s
    const nonce = await nonceFor(a.agentId)
    await new Promise((r) => setTimeout(r, 5_300))
    const res = await post(a.agentId, await build(a, payload(a), nonce))
    expect([res.status, await code(res)]).toEqual([403, 'ERR_NONCE_EXPIRED'])
    await setPolicy({ nonceTtlSeconds: 120 })
  }, 30_000)

  it('enforces the geofence: outside the zone, wrong sensor, impossible travel', async () => {
    expect(
      (
        await collector.api('operator', '/v1/zones/paris', {
          method: 'PUT',
          body: JSON.stringify(PARIS_ZONE),
        })
      ).status,
    ).toBe(200)
    expect(
      (
        await collector.api('operator', `/v1/agents/${b.agentId}/zones`, {
          method: 'PUT',
          body: JSON.stringify({ zones: ['paris'] }),
        })
      ).status,
    ).toBe(200)
    const outsideReq = await build(b, payload(b, {}, BERLIN))
    const outside = await post(b.agentId, outsideReq)
    expect([outside.status, await code(outside)]).toEqual([403, 'ERR_GEO_OUTSIDE'])
    // the rejection reaches the audit trail (through the queue), naming the batch it refused
    const rejectedId = toHex(sha256(fromB64url(outsideReq.payload)))
    let found: { batch_id: string; verdict: string } | undefined
    for (let i = 0; i < 60 && !found; i++) {
      const r = await collector.api(
        'auditor',
        `/v1/decisions?agent=${b.agentId}&code=ERR_GEO_OUTSIDE`,
      )
      found = ((await r.json()) as { decisions: { batch_id: string; verdict: string }[] })
        .decisions[0]
      if (!found) await new Promise((res) => setTimeout(res, 250))
    }
    expect(found).toMatchObject({ batch_id: rejectedId, verdict: 'reject' })
    const inside = await post(b.agentId, await build(b, payload(b, {}, PARIS)))
    const insideBody = (await inside.json()) as { zone: string }
    expect([inside.status, insideBody.zone]).toEqual([202, 'paris'])

    const p = payload(b)
    const wrongSensor = await post(
      b.agentId,
      await build(b, { ...p, location: { ...p.location, sensorId: 'gnss:other' } }),
    )
    expect([wrongSensor.status, await code(wrongSensor)]).toEqual([403, 'ERR_GEO_SENSOR'])

    // back to the world-wide dev zone, then Paris -> Berlin within a second
    await collector.api('operator', `/v1/agents/${b.agentId}/zones`, {
      method: 'PUT',
      body: JSON.stringify({ zones: [] }),
    })
    await new Promise((r) => setTimeout(r, 5_100))
    expect((await post(b.agentId, await build(b, payload(b, {}, PARIS)))).status).toBe(202)
    const jump = await post(b.agentId, await build(b, payload(b, {}, BERLIN)))
    expect([jump.status, await code(jump)]).toEqual([403, 'ERR_GEO_IMPOSSIBLE_TRAVEL'])
  }, 60_000)

  it('in audit mode accepts and marks a policy failure, but still enforces cryptographic checks', async () => {
    await collector.api('operator', `/v1/agents/${b.agentId}/zones`, {
      method: 'PUT',
      body: JSON.stringify({ zones: ['paris'] }),
    })
    await setPolicy({ mode: 'audit' })
    await new Promise((r) => setTimeout(r, 5_100))
    // far outside Paris and an implausible jump from the last fix: both recorded, batch admitted
    const res = await post(
      b.agentId,
      await build(b, payload(b, {}, { lat: 40.71, lon: -74.0, accuracyM: 10 })),
    )
    const body = (await res.json()) as { verdict: string; findings: string[] }
    expect(res.status, JSON.stringify(body)).toBe(202)
    expect(body.verdict).toBe('accept-audit')
    expect(body.findings).toEqual(
      expect.arrayContaining(['ERR_GEO_OUTSIDE', 'ERR_GEO_IMPOSSIBLE_TRAVEL']),
    )
    const req = await build(b, payload(b, {}, PARIS))
    const tampered = await post(b.agentId, { ...req, payload: toB64url(utf8('{"x":1}')) })
    expect((await tampered.json()) as { code: string }).toMatchObject({
      code: 'ERR_INPUT_MALFORMED',
    })
    await setPolicy({ mode: 'enforce' })
  }, 30_000)

  it('rejects malformed and oversized bodies with stable codes', async () => {
    const malformed = await post(a.agentId, '{"payload":')
    expect([malformed.status, await code(malformed)]).toEqual([400, 'ERR_INPUT_MALFORMED'])
    const unknown = await post(a.agentId, { ...(await build(a, payload(a))), extra: true })
    expect([unknown.status, await code(unknown)]).toEqual([400, 'ERR_INPUT_MALFORMED'])
    const big = await post(a.agentId, JSON.stringify({ payload: 'A'.repeat(300 * 1024) }))
    expect([big.status, await code(big)]).toEqual([413, 'ERR_INPUT_TOO_LARGE'])
    const notJson = await post(a.agentId, 'x', { 'content-type': 'text/plain' })
    expect([notJson.status, await code(notJson)]).toEqual([415, 'ERR_INPUT_UNSUPPORTED_MEDIA'])
  })

  it('decides on a fresh agent record when the cached one would reject: widened zones apply at once', async () => {
    const NORTH = { lat: 48.975, lon: 2.35, accuracyM: 10 } // ~13 km north of Paris, outside its zone
    const geo = (
      (await (await collector.api('operator', '/v1/config/policy')).json()) as {
        value: { geo: Record<string, unknown> }
      }
    ).value.geo
    await setPolicy({ geo: { ...geo, maxSpeedMps: 10_000 } }) // this test moves the agent 13 km in seconds
    const zone = {
      name: 'North',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [2.3, 48.96],
            [2.4, 48.96],
            [2.4, 49.0],
            [2.3, 49.0],
            [2.3, 48.96],
          ],
        ],
      },
    }
    expect(
      (
        await collector.api('operator', '/v1/zones/north', {
          method: 'PUT',
          body: JSON.stringify(zone),
        })
      ).status,
    ).toBe(200)
    const setZones = (zones: string[]) =>
      collector.api('operator', `/v1/agents/${a.agentId}/zones`, {
        method: 'PUT',
        body: JSON.stringify({ zones }),
      })
    expect((await setZones(['paris'])).status).toBe(200)
    const narrow = await post(a.agentId, await build(a, payload(a, {}, NORTH)))
    expect([narrow.status, await code(narrow)]).toEqual([403, 'ERR_GEO_OUTSIDE'])
    expect((await setZones(['paris', 'north'])).status).toBe(200)
    const widened = await post(a.agentId, await build(a, payload(a, {}, NORTH)))
    const body = (await widened.json()) as { zone: string }
    expect([widened.status, body.zone]).toEqual([202, 'north'])
    // back to where the other tests expect agent a: world zone, last fix in Paris, normal speed limit
    expect((await setZones([])).status).toBe(200)
    await new Promise((r) => setTimeout(r, 2_000)) // 13 km at <= 10 km/s
    expect((await post(a.agentId, await build(a, payload(a, {}, PARIS)))).status).toBe(202)
    await setPolicy({ geo })
  }, 30_000)

  it('rejects a TPM whose state was rolled back (restored snapshot: the cloned VM)', async () => {
    // Orderly power-off: TPM2_Shutdown, then stop swtpm (a bare kill leaves clockInfo.safe = 0).
    const powerOff = async () => {
      await shutdown(tpm)
      await tpm.close()
      await swtpm.stop()
    }
    const restart = async () => {
      await powerOff()
      swtpm = await startSwtpm({ stateDir, provision: false })
      tpm = await Tpm.open(swtpm.agentTpm)
      await ensureSensorMeasured(tpm, a.sensor, a.sensor.pcr)
    }
    const snap = mkdtempSync(path.join(tmpdir(), 'aegis-swtpm-snap-'))
    tmp.push(snap)
    await powerOff()
    cpSync(stateDir, snap, { recursive: true })
    swtpm = await startSwtpm({ stateDir, provision: false })
    tpm = await Tpm.open(swtpm.agentTpm)
    await ensureSensorMeasured(tpm, a.sensor, a.sensor.pcr)
    await new Promise((r) => setTimeout(r, 1500)) // let the TPM clock move past the snapshot
    const afterBoot = await post(a.agentId, await build(a, payload(a)))
    expect(afterBoot.status, await afterBoot.clone().text()).toBe(202)

    await powerOff()
    rmSync(stateDir, { recursive: true, force: true })
    cpSync(snap, stateDir, { recursive: true })
    swtpm = await startSwtpm({ stateDir, provision: false })
    tpm = await Tpm.open(swtpm.agentTpm)
    await ensureSensorMeasured(tpm, a.sensor, a.sensor.pcr)
    const res = await post(a.agentId, await build(a, payload(a)))
    expect([res.status, await code(res)]).toEqual([403, 'ERR_CLOCK_ROLLBACK'])
    await restart() // a normal reboot afterwards is fine again
    expect((await post(a.agentId, await build(a, payload(a)))).status).toBe(202)
  }, 60_000)

  it('rejects a revoked agent from the next request on', async () => {
    const req = await build(b, payload(b, {}, PARIS))
    await collector.api('operator', `/v1/agents/${b.agentId}/revoke`, {
      method: 'POST',
      body: JSON.stringify({ reason: 'test' }),
    })
    const res = await post(b.agentId, req)
    expect([res.status, await code(res)]).toEqual([403, 'ERR_AGENT_REVOKED'])
  })
  it('rejects a changed boot state (PCR 7 extended) with its own code', async () => {
    await extendPcr(tpm, 7, new Uint8Array(32).fill(0xab))
    const res = await post(a.agentId, await build(a, payload(a)))
    const body = (await res.json()) as { code: string; pcr: number }
    expect([res.status, body.code, body.pcr]).toEqual([403, 'ERR_PCR_POLICY', 7])
  })
})
