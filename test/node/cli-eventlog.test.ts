// aegis eventlog replay/show on real logs: JSON shape, exit codes (0 ok, 1 malformed, 2 usage/IO).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli } from './helpers/cli.ts'

const vec = (f: string) => new URL(`../vectors/eventlog/${f}`, import.meta.url).pathname
const published = JSON.parse(readFileSync(vec('published-pcrs.json'), 'utf8'))

describe('aegis eventlog replay', () => {
  it('prints the replayed PCRs, Secure Boot and event count as JSON', async () => {
    const r = await cli(['eventlog', 'replay', vec('gce-rhel8.eventlog'), '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ ok: true, events: 83, secureBoot: true })
    expect(Object.keys(out.pcrs)).toEqual(['sha1', 'sha256', 'sha384'])
    expect(out.pcrs.sha256).toEqual(published['gce-rhel8.eventlog'].pcrs.sha256)
  })

  it('says Secure Boot off, and SHA-1 logs replay into sha1 only', async () => {
    const off = JSON.parse(
      (await cli(['eventlog', 'replay', vec('gce-ubuntu2104-no-secure-boot.eventlog'), '--json']))
        .stdout,
    )
    expect(off.secureBoot).toBe(false)
    const sha1 = JSON.parse(
      (await cli(['eventlog', 'replay', vec('gce-debian10-sha1.eventlog'), '--json'])).stdout,
    )
    expect(Object.keys(sha1.pcrs)).toEqual(['sha1'])
  })

  it('exits 1 with the code for a malformed log, 2 for usage or an unreadable file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aegis-el-'))
    const cut = path.join(dir, 'cut.eventlog')
    writeFileSync(cut, readFileSync(vec('gce-rhel8.eventlog')).subarray(0, 500))
    const bad = await cli(['eventlog', 'replay', cut, '--json'])
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, code: 'ERR_EVENTLOG_TRUNCATED' })
    expect((await cli(['eventlog', 'replay', path.join(dir, 'missing'), '--json'])).code).toBe(2)
    expect((await cli(['eventlog', 'replay'])).code).toBe(2)
    expect((await cli(['eventlog', 'replay', cut, '--bogus'])).code).toBe(2)
  })
})

describe('aegis eventlog show', () => {
  it('lists decoded events', async () => {
    const r = await cli(['eventlog', 'show', vec('gce-rhel8.eventlog'), '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.format).toBe('crypto-agile')
    expect(out.events).toHaveLength(83)
    expect(out.events[3]).toMatchObject({
      pcr: 7,
      type: 'EV_EFI_VARIABLE_DRIVER_CONFIG',
      decoded: { variable: 'SecureBoot', secureBoot: true },
    })
    expect(out.events[1].decoded.text).toBe('GCE Virtual Firmware v1')
    const text = await cli(['eventlog', 'show', vec('sd-boot-fedora37.eventlog')])
    expect(text.stdout).toContain('SecureBoot = off')
  })

  it('both commands export help with usage and an example', async () => {
    for (const m of [
      await import('../../agent/cli/commands/eventlog-replay.ts'),
      await import('../../agent/cli/commands/eventlog-show.ts'),
    ]) {
      expect(m.help).toMatch(/^usage: aegis eventlog (replay|show) FILE/)
      expect(m.help).toContain('--json')
      expect(m.help).toContain('example:')
    }
  })
})
