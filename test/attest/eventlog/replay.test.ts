// Real event logs: replayed PCRs equal the values published with them, and decoding reads what the
// sources state (Secure Boot on/off, the boot applications go-tpm-tools lists per log).
import { describe, expect, it } from 'vitest'
import { toHex } from '../../../attest/bytes/encoding.ts'
import { bootState, dataIsBound } from '../../../attest/eventlog/boot-state.ts'
import { decodeEvent } from '../../../attest/eventlog/decode-event.ts'
import { parseEventLog } from '../../../attest/eventlog/parse-event-log.ts'
import { replayEventLog } from '../../../attest/eventlog/replay.ts'
import { code } from '../../helpers/error-code.ts'
import published from '../../vectors/eventlog/published-pcrs.json'
import { LOGS } from './logs.ts'

const PUBLISHED = published as Record<
  string,
  { source: string; pcrs: Record<string, Record<string, string>> }
>

describe('replay equals published PCR values', () => {
  it('covers cloud VMs and physical machines, both formats', () => {
    expect(Object.keys(PUBLISHED).length).toBeGreaterThanOrEqual(9)
    const formats = Object.keys(PUBLISHED).map((f) => parseEventLog(LOGS[f]!).format)
    expect(new Set(formats)).toEqual(new Set(['sha1', 'crypto-agile']))
  })

  it.each(Object.keys(PUBLISHED))('%s', (name) => {
    const replayed = replayEventLog(parseEventLog(LOGS[name]!))
    for (const [bank, pcrs] of Object.entries(PUBLISHED[name]!.pcrs)) {
      for (const [i, want] of Object.entries(pcrs)) {
        const got = replayed[bank as 'sha1']?.[Number(i)]
        // Windows publishes PCRs the UEFI log does not extend (11-14, 21-23: OS-owned).
        if (!got && name === 'gce-windows.eventlog') continue
        expect(got && toHex(got), `${bank}[${i}]`).toBe(want)
      }
    }
  })
})

describe('decoding real logs', () => {
  it('every event whose digest binds its data decodes; others decode or fail typed', () => {
    let unboundFailures = 0
    for (const [name, bytes] of Object.entries(LOGS)) {
      const log = parseEventLog(bytes)
      for (const ev of log.events) {
        if (dataIsBound(ev)) expect(() => decodeEvent(ev), `${name} #${ev.index}`).not.toThrow()
        else if (code(() => decodeEvent(ev)) !== 'no error') {
          expect(code(() => decodeEvent(ev))).toBe('ERR_EVENTLOG_EVENT_DATA')
          expect(ev.typeName).toBe('EV_EFI_VARIABLE_AUTHORITY')
          unboundFailures++
        }
      }
    }
    // Older shims log EV_EFI_VARIABLE_AUTHORITY events with 6 bytes past the declared variable data
    // and a digest that is not over the data (cos-85 x2, debian-10, postcode x2, sb-cert x2).
    expect(unboundFailures).toBe(7)
  })

  it('reads the Secure Boot state the sources state', () => {
    const sb = (f: string) => bootState(parseEventLog(LOGS[f]!)).secureBoot
    expect(sb('gce-rhel8.eventlog')).toBe(true)
    expect(sb('gce-cos85-amd-sev.eventlog')).toBe(true)
    expect(sb('gce-debian10-sha1.eventlog')).toBe(true)
    expect(sb('postcode.eventlog')).toBe(true)
    expect(sb('gce-ubuntu2104-no-secure-boot.eventlog')).toBe(false)
    expect(sb('arch-workstation.eventlog')).toBe(false)
  })

  it('finds the boot applications go-tpm-tools lists for RHEL 8 on GCE, the kernel last', () => {
    const s = bootState(parseEventLog(LOGS['gce-rhel8.eventlog']!))
    expect(s.bootApps.map((a) => a.digests.sha256)).toEqual([
      '40d6cae02973789080cf4c3a9ad11b5a0a4d8bba4438ab96e276cc784454dee7',
      'e8a268c431da72caaae407f729f602b9dbf5d1d43492d4a51cc2b688a08586e3',
      'e4c0382f98feaebfd43923a85fd6da9a20e1a48524a4d5928c31850ca1a96a6e',
    ])
    expect(s.kernel?.event).toEqual({ index: 77, type: 'EV_EFI_BOOT_SERVICES_APPLICATION', pcr: 4 })
    expect(s.databases.db!.signatures.map((x) => x.type)).toEqual(['x509', 'x509'])
    expect(s.databases.dbx!.signatures.filter((x) => x.type === 'sha256')).toHaveLength(183)
    expect(s.firmwareVersions.map((v) => v.version)).toEqual(['GCE Virtual Firmware v1'])
    expect(s.unbound).toEqual([])
  })

  it('reads StartupLocality into PCR 0', () => {
    expect(parseEventLog(LOGS['gdc-host.eventlog']!).startupLocality).toBe(3)
    expect(parseEventLog(LOGS['gce-rhel8.eventlog']!).startupLocality).toBeUndefined()
  })
})
