/**
 * The agent config file: defaults, path resolution, and for each kind of mistake an ERR_CONFIG
 * whose detail.key names the offending key, through the CLI too (exit 2, the key on stderr).
 * Also the failure classification and backoff the sender relies on, and `aegis agent status` on
 * directories without a running agent.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { AegisError } from '../../../attest/errors.ts'
import { parseAgentConfig } from '../../../agent/config/agent-config.ts'
import { Backoff } from '../../../agent/run/backoff.ts'
import { classifyFailure } from '../../../agent/run/classify-failure.ts'
import { parseNvidiaSmiCsv, GpuMetrics } from '../../../agent/metrics/gpu.ts'
import { Spool } from '../../../agent/spool/spool.ts'
import { utf8 } from '../../../attest/bytes/encoding.ts'
import { cli } from '../helpers/cli.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'aegis-agent-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const valid = {
  collector: 'http://127.0.0.1:8787',
  tpm: 'swtpm:host=127.0.0.1,port=2321',
  stateDir: 'state',
  intervalSeconds: 60,
  location: { fixed: { lat: 48.8566, lon: 2.3522, accuracyM: 10 } },
  sensor: { id: 'gnss:ublox-m8', firmware: 'fw-3.01' },
}

const keyOf = (raw: unknown): string => {
  try {
    parseAgentConfig(raw, dir)
  } catch (e) {
    expect(e).toBeInstanceOf(AegisError)
    expect((e as AegisError).code).toBe('ERR_CONFIG')
    return (e as AegisError).detail?.key as string
  }
  throw new Error('config was accepted')
}

describe('agent config', () => {
  it('fills defaults and resolves relative paths against the config file', () => {
    const c = parseAgentConfig(valid, '/etc/aegis')
    expect(c).toMatchObject({
      stateDir: '/etc/aegis/state',
      location: { kind: 'fixed', lat: 48.8566, lon: 2.3522, accuracyM: 10, maxFixAgeSeconds: 60 },
      spool: { maxBatches: 20_000, maxBytes: 256 * 1024 * 1024 },
      retry: { initialSeconds: 1, maxSeconds: 300 },
      ek: 'auto', // the first EK template whose certificate is in NV (docs/trust.md)
      akAlg: 'ecc',
      tpmShutdownOnStop: true,
      logLevel: 'info',
    })
    expect(parseAgentConfig({ ...valid, tpm: 'device:/dev/tpmrm0' }, dir).tpmShutdownOnStop).toBe(
      false,
    )
    expect(parseAgentConfig({ ...valid, location: { gpsd: 'gps.local' } }, dir).location).toEqual({
      kind: 'gpsd',
      host: 'gps.local',
      port: 2947,
      maxFixAgeSeconds: 60,
    })
    expect(
      parseAgentConfig({ ...valid, location: { nmea: 'gnss.log', maxFixAgeSeconds: 5 } }, '/srv')
        .location,
    ).toEqual({
      kind: 'nmea',
      path: '/srv/gnss.log',
      maxFixAgeSeconds: 5,
    })
    expect(parseAgentConfig({ ...valid, akHandle: '0x81008002' }, dir).akHandle).toBe(0x81008002)
  })

  it('names the key of every mistake', () => {
    const { collector: _c, ...noCollector } = valid
    expect(keyOf(noCollector)).toBe('collector')
    expect(keyOf({ ...valid, collector: 'ftp://x' })).toBe('collector')
    expect(keyOf({ ...valid, tpm: 'tcp:1.2.3.4' })).toBe('tpm')
    expect(keyOf({ ...valid, intervalSeconds: 0 })).toBe('intervalSeconds')
    expect(keyOf({ ...valid, intervalSeconds: '60' })).toBe('intervalSeconds')
    expect(keyOf({ ...valid, location: {} })).toBe('location')
    expect(
      keyOf({ ...valid, location: { fixed: valid.location.fixed, gpsd: 'localhost:2947' } }),
    ).toBe('location')
    expect(keyOf({ ...valid, location: { fixed: { lat: 91, lon: 0 } } })).toBe('location.fixed.lat')
    expect(keyOf({ ...valid, location: { gpsd: 'host:port' } })).toBe('location.gpsd')
    expect(keyOf({ ...valid, location: { serial: '/dev/ttyUSB0' } })).toBe('location.serial')
    expect(keyOf({ ...valid, sensor: { id: '', firmware: 'x' } })).toBe('sensor.id')
    expect(keyOf({ ...valid, spool: { maxBytes: 10 } })).toBe('spool.maxBytes')
    expect(keyOf({ ...valid, retry: { initialSeconds: 10, maxSeconds: 1 } })).toBe(
      'retry.maxSeconds',
    )
    expect(keyOf({ ...valid, akHandle: '0x01000000' })).toBe('akHandle')
    expect(keyOf({ ...valid, logLevel: 'verbose' })).toBe('logLevel')
    expect(keyOf({ ...valid, colector: 'typo' })).toBe('colector')
    expect(keyOf([valid])).toBe('(top level)')
  })

  it('aegis agent run exits 2 with the key named on an invalid config, or an unreadable one', async () => {
    const file = path.join(dir, 'bad.json')
    writeFileSync(file, JSON.stringify({ ...valid, intervalSeconds: -5 }))
    const r = await cli(['agent', 'run', '--config', file])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/ERR_CONFIG: .*intervalSeconds/)
    writeFileSync(file, '{"collector":')
    expect((await cli(['agent', 'run', '--config', file])).code).toBe(2)
    expect((await cli(['agent', 'run', '--config', path.join(dir, 'missing.json')])).code).toBe(2)
    expect((await cli(['agent', 'run'])).code).toBe(2)
  })
})

describe('failure classification', () => {
  const fromCollector = (code: ConstructorParameters<typeof AegisError>[0], httpStatus: number) =>
    new AegisError(code, code, { detail: { httpStatus } })

  it('retries weather, renonces nonce trouble, holds agent-level refusals, drops verdicts on the batch', () => {
    const action = (e: unknown) => classifyFailure(e).action
    expect(action(new AegisError('ERR_COLLECTOR', 'down', { detail: { transient: true } }))).toBe(
      'retry',
    )
    expect(
      action(
        new AegisError('ERR_COLLECTOR', '503', { detail: { transient: true, httpStatus: 503 } }),
      ),
    ).toBe('retry')
    expect(
      action(
        new AegisError('ERR_COLLECTOR', '404', { detail: { transient: false, httpStatus: 404 } }),
      ),
    ).toBe('hold')
    expect(action(new AegisError('ERR_TPM_TRANSPORT', 'swtpm gone'))).toBe('retry')
    expect(action(fromCollector('ERR_INTERNAL', 500))).toBe('retry')
    expect(action(fromCollector('ERR_QUOTE_CLOCK_UNSAFE', 403))).toBe('retry')
    for (const c of ['ERR_NONCE_EXPIRED', 'ERR_NONCE_UNKNOWN', 'ERR_NONCE_REPLAYED'] as const) {
      expect(action(fromCollector(c, 403))).toBe('renonce')
    }
    for (const c of ['ERR_AGENT_REVOKED', 'ERR_AGENT_UNKNOWN', 'ERR_QUOTE_SIGNER'] as const) {
      expect(action(fromCollector(c, 403))).toBe('hold')
    }
    for (const c of [
      'ERR_GEO_OUTSIDE',
      'ERR_PCR_POLICY',
      'ERR_BATCH_STALE',
      'ERR_SEQ_REPLAYED',
      'ERR_INPUT_MALFORMED',
    ] as const) {
      expect(action(fromCollector(c, 403))).toBe('drop')
    }
    // not listed: by HTTP status
    expect(action(fromCollector('ERR_AUTH_FORBIDDEN', 403))).toBe('drop')
    expect(action(fromCollector('ERR_TRUST_ROOTS', 503))).toBe('retry')
    expect(action(fromCollector('ERR_CERT_CHAIN', 429))).toBe('retry')
    // a "drop" code raised locally is not a verdict of the collector
    expect(action(new AegisError('ERR_INPUT_MALFORMED', 'local'))).toBe('retry')
    expect(action(new Error('bug'))).toBe('retry')
  })

  it('backs off exponentially with jitter in [d/2, d], capped, and resets', () => {
    const lo = new Backoff(1000, 8000, () => 0)
    expect([lo.next(), lo.next(), lo.next(), lo.next(), lo.next()]).toEqual([
      500, 1000, 2000, 4000, 4000,
    ])
    const hi = new Backoff(1000, 8000, () => 1)
    expect([hi.next(), hi.next(), hi.next(), hi.next(), hi.next()]).toEqual([
      1000, 2000, 4000, 8000, 8000,
    ])
    hi.reset()
    expect(hi.next()).toBe(1000)
    expect(hi.ceiling()).toBe(8000)
    const rnd = new Backoff(1000, 60_000)
    for (let i = 0; i < 200; i++) {
      const d = Math.min(60_000, 1000 * 2 ** i)
      const x = rnd.next()
      expect(x).toBeGreaterThanOrEqual(d / 2)
      expect(x).toBeLessThanOrEqual(d)
    }
  })
})

describe('GPU metrics', () => {
  it('parses nvidia-smi CSV rows, skipping [N/A] fields', () => {
    const m = parseNvidiaSmiCsv(
      '0, NVIDIA A100-SXM4-40GB, 37, 12, 1024, 40960, 41, 71.25\n1, Tesla T4, 0, 0, 0, 15360, 30, [N/A]\n',
    )
    expect(m).toContainEqual({
      name: 'gpu.utilization',
      value: 37,
      unit: '%',
      labels: { gpu: '0', model: 'NVIDIA A100-SXM4-40GB' },
    })
    expect(m).toContainEqual({
      name: 'gpu.memory.total',
      value: 40960 * 1024 * 1024,
      unit: 'By',
      labels: { gpu: '0', model: 'NVIDIA A100-SXM4-40GB' },
    })
    expect(m.filter((x) => x.name === 'gpu.power')).toEqual([
      {
        name: 'gpu.power',
        value: 71.25,
        unit: 'W',
        labels: { gpu: '0', model: 'NVIDIA A100-SXM4-40GB' },
      },
    ])
    expect(m.filter((x) => x.labels?.gpu === '1')).toHaveLength(5)
    expect(() => parseNvidiaSmiCsv('0, x, 1\n')).toThrow()
  })

  it('reports nothing on a host without nvidia-smi', async () => {
    expect(await new GpuMetrics('/nonexistent/nvidia-smi').collect()).toEqual([])
  })
})

describe('aegis agent status', () => {
  it('reports a directory with no agent, and one with a spool, without a running agent', async () => {
    const state = path.join(dir, 'status-state')
    mkdirSync(state)
    const empty = await cli(['agent', 'status', '--state', state, '--json'])
    expect(empty.code).toBe(0)
    expect(JSON.parse(empty.out)).toMatchObject({
      enrolled: false,
      running: false,
      spoolDepth: 0,
      produced: 0,
      accepted: 0,
      lastSuccess: null,
      lastError: null,
    })
    const s = await Spool.open(path.join(state, 'spool'), { maxBatches: 10, maxBytes: 1 << 20 })
    await s.append(1, utf8('{"seq":1}'))
    await s.append(2, utf8('{"seq":2}'))
    await s.claimHead()
    await s.settle(1, { kind: 'accepted' })
    writeFileSync(path.join(state, 'agent.pid'), '999999999\n') // a crashed agent's leftover
    const r = await cli(['agent', 'status', '--state', state, '--json'])
    expect(JSON.parse(r.out)).toMatchObject({
      spoolDepth: 1,
      produced: 2,
      accepted: 1,
      running: false,
    })
    const text = await cli(['agent', 'status', '--state', state])
    expect(text.out).toMatch(/spool:\s+1 batches/)
    expect((await cli(['agent', 'status', '--state', path.join(dir, 'nope')])).code).toBe(2)
  })
})
