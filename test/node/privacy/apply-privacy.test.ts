/**
 * What leaves the device (agent/privacy/apply-privacy.ts): sensitive labels dropped or replaced by
 * a keyed hash before encoding, location coarsened to a grid cell, the device key created once
 * with owner-only permissions; and the agent config accepting and refusing privacy settings.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { BatchPayload } from '../../../attest/ingest/batch-payload.ts'
import { parseAgentConfig } from '../../../agent/config/agent-config.ts'
import { encodePayload } from '../../../agent/batch/make-batch.ts'
import { applyPrivacy, hashLabel, labelKey } from '../../../agent/privacy/apply-privacy.ts'
import { coarsen } from '../../../attest/geofence/coarsen.ts'

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

const payload: BatchPayload = {
  agentId: 'ab'.repeat(32),
  seq: 1,
  collectedAt: 1_700_000_000_000,
  location: {
    lat: 48.85661,
    lon: 2.35222,
    accuracyM: 5,
    fixTime: 1_700_000_000_000,
    sensorId: 's',
  },
  metrics: [
    { name: 'door.open', value: 1, labels: { patient: 'Jane Roe', room: 'r12', site: 'north' } },
    { name: 'temp.c', value: 21 },
  ],
}

describe('applyPrivacy', () => {
  it('drops and hashes sensitive labels; nothing of their values is encoded', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'aegis-privacy-'))
    dirs.push(dir)
    const key = await labelKey(dir)
    const out = applyPrivacy(payload, { labels: { patient: 'drop', room: 'hash' } }, key)
    const text = new TextDecoder().decode(encodePayload(out))
    expect(text).not.toContain('Jane Roe')
    expect(text).not.toContain('patient')
    expect(text).not.toContain('r12')
    expect(out.metrics[0]!.labels).toEqual({ room: hashLabel(key, 'room', 'r12'), site: 'north' })
    expect(out.metrics[1]).toEqual(payload.metrics[1])
    // Same key, same value, same hash; another device key gives another one.
    expect(hashLabel(key, 'room', 'r12')).toBe(hashLabel(key, 'room', 'r12'))
    expect(hashLabel(new Uint8Array(32), 'room', 'r12')).not.toBe(hashLabel(key, 'room', 'r12'))
    expect(hashLabel(key, 'site', 'r12')).not.toBe(hashLabel(key, 'room', 'r12'))
  })

  it('creates the device key once, owner-only, and reuses it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'aegis-privacy-'))
    dirs.push(dir)
    const a = await labelKey(dir)
    const b = await labelKey(dir)
    expect(a).toEqual(b)
    expect(a).toHaveLength(32)
    expect((await stat(path.join(dir, 'privacy-key'))).mode & 0o777).toBe(0o600)
    expect(new Uint8Array(await readFile(path.join(dir, 'privacy-key')))).toEqual(a)
  })

  it('coarsens the location to the cell centre and widens the accuracy', () => {
    const out = applyPrivacy(payload, { labels: {}, locationPrecisionDeg: 0.1 }, new Uint8Array(32))
    expect(out.location).toMatchObject({ lat: 48.85, lon: 2.35, accuracyM: 7872 })
    expect(coarsen(-0.01, -179.99, 0.1)).toMatchObject({ lat: -0.05, lon: -179.95 })
    expect(coarsen(90, 180, 1)).toMatchObject({ lat: 90, lon: 180 })
  })
})

describe('agent config privacy', () => {
  const base = {
    collector: 'http://localhost:8787',
    tpm: 'swtpm:host=127.0.0.1,port=2321',
    stateDir: 'state',
    intervalSeconds: 10,
    location: { fixed: { lat: 1, lon: 2 } },
    sensor: { id: 'gnss:x', firmware: '1' },
  }
  it('reads labels and precision; defaults to none', () => {
    expect(parseAgentConfig(base, '/tmp').privacy).toEqual({ labels: {} })
    const c = parseAgentConfig(
      {
        ...base,
        privacy: { labels: { patient: 'drop', room: 'hash' }, locationPrecisionDeg: 0.01 },
      },
      '/tmp',
    )
    expect(c.privacy).toEqual({
      labels: { patient: 'drop', room: 'hash' },
      locationPrecisionDeg: 0.01,
    })
  })
  it('refuses an unknown action or precision out of range, naming the key', () => {
    for (const privacy of [{ labels: { patient: 'encrypt' } }, { locationPrecisionDeg: 5 }]) {
      expect(() => parseAgentConfig({ ...base, privacy }, '/tmp')).toThrow(
        expect.objectContaining({ code: 'ERR_CONFIG' }),
      )
    }
  })
})
