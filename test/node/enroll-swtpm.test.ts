/**
 * Enrollment end to end: a real software TPM, the real collector (wrangler dev), the aegis CLI.
 * RSA-2048 EK and ECC P-384 EK (high-range template, PolicyOR) both enroll; enrolling again is a
 * no-op; revocation takes effect at once and blocks re-enrollment.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cli } from './helpers/cli.ts'
import { startCollector, type Collector } from './helpers/collector.ts'
import { startSwtpm, type Swtpm } from './helpers/swtpm.ts'
import { enrollWithCli } from './helpers/fixtures.ts'

describe('aegis agent enroll against swtpm and wrangler dev', () => {
  let tpm: Swtpm
  let collector: Collector
  const dirs: string[] = []
  const stateDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'aegis-agent-'))
    dirs.push(d)
    return d
  }

  beforeAll(async () => {
    tpm = await startSwtpm()
    collector = await startCollector()
  }, 120_000)
  afterAll(async () => {
    await collector?.stop()
    await tpm?.stop()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  /** `aegis agent enroll` with the RSA EK into a state directory. */
  const rsaEnrollArgs = (dir: string) => {
    const target = ['--collector', collector.url, '--tpm', tpm.agentTpm]
    return ['agent', 'enroll', ...target, '--state', dir, '--ek', 'rsa']
  }

  it('enrolls with the RSA EK, and enrolling again prints the same identity', async () => {
    const dir = stateDir()
    const args = rsaEnrollArgs(dir)
    const r1 = await cli(args)
    expect(r1.code, r1.out + r1.err + collector.logs().slice(-3000)).toBe(0)
    const first = JSON.parse(r1.out) as { agentId: string; token: string; enrolled: string }
    expect(first.agentId).toMatch(/^[0-9a-f]{64}$/)
    expect(first.token.split('.')).toHaveLength(3)
    expect(first.enrolled).toBe('new')
    const r2 = await cli(args)
    expect(r2.code).toBe(0)
    expect(JSON.parse(r2.out)).toEqual({ ...first, enrolled: 'existing' })
    expect(r2.err).toMatch(/already enrolled with .*nothing done/)

    const res = await collector.api('operator', `/v1/agents/${first.agentId}`)
    expect(res.status).toBe(200)
    const agent = (await res.json()) as {
      status: string
      pcrBaseline: { sha256: Record<string, string> }
      sensor: { id: string }
    }
    expect(agent.status).toBe('active')
    expect(Object.keys(agent.pcrBaseline.sha256)).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '15',
    ])
    expect(agent.sensor.id).toBe('gnss:ublox-m8')
  })

  it('enrolls with the P-384 EK through its PolicyOR, with an RSA AK at another handle', async () => {
    const r = await enrollWithCli(
      collector.url,
      tpm.agentTpm,
      stateDir(),
      '--ek',
      'ecc',
      '--ak-alg',
      'rsa',
      '--ak-handle',
      '0x81008002',
    )
    expect(r.code, r.out + r.err).toBe(0)
    expect(JSON.parse(r.out).agentId).toMatch(/^[0-9a-f]{64}$/)
  })

  it('a revoked agent cannot enroll again or get nonces', async () => {
    const dir = stateDir()
    const args = rsaEnrollArgs(dir)
    const { agentId } = JSON.parse((await cli(args)).out) as { agentId: string }
    const rev = await collector.api('operator', `/v1/agents/${agentId}/revoke`, {
      method: 'POST',
      body: JSON.stringify({ reason: 'stolen' }),
    })
    expect(rev.status).toBe(200)
    const nonce = await fetch(`${collector.url}/v1/agents/${agentId}/nonce`)
    expect(nonce.status).toBe(403)
    expect(((await nonce.json()) as { code: string }).code).toBe('ERR_AGENT_REVOKED')
    const again = await cli([...args, '--force', '--json'])
    expect(again.code).toBe(1)
    expect(JSON.parse(again.out).code).toBe('ERR_AGENT_REVOKED')
    expect(again.err).toContain('ERR_AGENT_REVOKED')
    const plain = await cli([...args, '--force'])
    expect([plain.code, plain.out]).toEqual([1, ''])
    expect(plain.err).toContain('ERR_AGENT_REVOKED')
  })
})
