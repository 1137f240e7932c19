// Measured-boot policy over real logs: each refusal names the event (index, type, PCR) that broke
// the rule; allowed boots pass; the validator normalises certificates to their SHA-256.
import { describe, expect, it } from 'vitest'
import { toHex } from '../../../attest/bytes/encoding.ts'
import { digest } from '../../../attest/crypto/hash.ts'
import { bootState } from '../../../attest/eventlog/boot-state.ts'
import {
  enforceFindings,
  evaluateEventLogPolicy,
  versionAtLeast,
} from '../../../attest/eventlog/evaluate-policy.ts'
import { parseEventLog } from '../../../attest/eventlog/parse-event-log.ts'
import { validateEventLogPolicy, type EventLogPolicy } from '../../../attest/eventlog/policy.ts'
import { AegisError } from '../../../attest/errors.ts'
import { code } from '../../helpers/error-code.ts'
import { secureBootLog } from './build-log.ts'
import rootDer from '../../vectors/x509/chains/ec-root.der?bytes'
import { LOGS } from './logs.ts'

const RHEL8_APPS = [
  '40d6cae02973789080cf4c3a9ad11b5a0a4d8bba4438ab96e276cc784454dee7', // shim
  'e8a268c431da72caaae407f729f602b9dbf5d1d43492d4a51cc2b688a08586e3', // grub
  'e4c0382f98feaebfd43923a85fd6da9a20e1a48524a4d5928c31850ca1a96a6e', // kernel
]
const BASE: EventLogPolicy = { pcrs: [0, 1, 2, 3, 4, 5, 6, 7], requireSecureBoot: true }
const judge = (log: string | Uint8Array, p: EventLogPolicy) =>
  evaluateEventLogPolicy(bootState(parseEventLog(typeof log === 'string' ? LOGS[log]! : log)), p)

function refusal(f: () => void): AegisError {
  try {
    f()
  } catch (e) {
    if (e instanceof AegisError) return e
    throw e
  }
  throw new Error('not refused')
}

describe('event-log policy', () => {
  it('accepts RHEL 8 on GCE when its boot chain and kernel are allowed', () => {
    const p = {
      ...BASE,
      bootApps: { allow: RHEL8_APPS },
      kernels: { allow: [RHEL8_APPS[2]!] },
      minFirmwareVersions: ['GCE Virtual Firmware v1'],
    }
    expect(judge('gce-rhel8.eventlog', p)).toEqual([])
  })

  it('refuses Secure Boot off, naming the SecureBoot event', () => {
    const e = refusal(() => enforceFindings(judge('gce-ubuntu2104-no-secure-boot.eventlog', BASE)))
    expect(e.code).toBe('ERR_EVENTLOG_POLICY')
    expect(e.detail).toMatchObject({
      rule: 'secure-boot-off',
      index: 3,
      eventType: 'EV_EFI_VARIABLE_DRIVER_CONFIG',
      pcr: 7,
    })
  })

  it('refuses a boot loader the log’s own dbx revokes', () => {
    const loader = digest('sha256', new TextEncoder().encode('revoked loader'))
    const log = secureBootLog({ secureBoot: true, dbx: [loader], apps: [loader] })
    const e = refusal(() => enforceFindings(judge(log, BASE)))
    expect(e.detail).toMatchObject({
      rule: 'boot-app-revoked',
      eventType: 'EV_EFI_BOOT_SERVICES_APPLICATION',
      pcr: 4,
      index: 12,
    })
    // the same loader with a dbx that does not list it passes
    expect(
      judge(secureBootLog({ secureBoot: true, dbx: [new Uint8Array(32)], apps: [loader] }), BASE),
    ).toEqual([])
  })

  it('refuses a boot loader the operator denies (a dbx update not yet on the machine)', () => {
    const e = refusal(() =>
      enforceFindings(
        judge('gce-rhel8.eventlog', { ...BASE, bootApps: { deny: [RHEL8_APPS[1]!] } }),
      ),
    )
    expect(e.detail).toMatchObject({
      rule: 'boot-app-denied',
      index: 26,
      eventType: 'EV_EFI_BOOT_SERVICES_APPLICATION',
      pcr: 4,
    })
  })

  it('refuses an unknown kernel, naming the kernel event', () => {
    const e = refusal(() =>
      enforceFindings(
        judge('gce-rhel8.eventlog', { ...BASE, kernels: { allow: ['00'.repeat(32)] } }),
      ),
    )
    expect(e.detail).toMatchObject({
      rule: 'kernel-not-allowed',
      index: 77,
      eventType: 'EV_EFI_BOOT_SERVICES_APPLICATION',
      pcr: 4,
    })
    expect(e.message).toContain('event 77')
  })

  it('audit: all findings are returned for recording, nothing thrown by evaluation', () => {
    const findings = judge('gce-ubuntu2104-no-secure-boot.eventlog', {
      ...BASE,
      kernels: { allow: ['00'.repeat(32)] },
      minFirmwareVersions: ['GCE Virtual Firmware v2'],
    })
    expect(findings.map((f) => f.rule)).toEqual([
      'secure-boot-off',
      'kernel-not-allowed',
      'firmware-version',
    ])
    expect(findings.every((f) => f.pcr !== undefined)).toBe(true)
  })

  it('judges db signers and dbx requirements by certificate hash', () => {
    const s = bootState(parseEventLog(LOGS['gce-rhel8.eventlog']!))
    const dbCerts = s.databases.db!.signatures.map((x) => x.ref)
    expect(judge('gce-rhel8.eventlog', { ...BASE, db: { allow: dbCerts } })).toEqual([])
    const denied = judge('gce-rhel8.eventlog', { ...BASE, db: { deny: [dbCerts[1]!] } })
    expect(denied[0]).toMatchObject({ rule: 'db-denied', event: { index: 6, pcr: 7 } })
    const missing = judge('gce-rhel8.eventlog', { ...BASE, dbx: { require: ['11'.repeat(32)] } })
    expect(missing[0]).toMatchObject({ rule: 'dbx-missing', event: { index: 7 } })
  })

  it('ignores PCRs the policy does not govern', () => {
    expect(judge('gce-ubuntu2104-no-secure-boot.eventlog', { ...BASE, pcrs: [0, 4] })).toEqual([])
  })

  it('compares firmware versions by number after a common prefix', () => {
    expect(versionAtLeast('GCE Virtual Firmware v10', 'GCE Virtual Firmware v9')).toBe(true)
    expect(versionAtLeast('1.2.3', '1.10')).toBe(false)
    expect(versionAtLeast('Other v9', 'GCE Virtual Firmware v1')).toBe(false)
  })
})

describe('policy validation', () => {
  it('takes a PEM certificate or its hash, and refuses anything else', () => {
    const p = validateEventLogPolicy({
      pcrs: [7, 0],
      requireSecureBoot: true,
      db: { allow: ['ab'.repeat(32)] },
    })
    expect(p.pcrs).toEqual([0, 7])
    expect(
      code(() =>
        validateEventLogPolicy({ pcrs: [0], requireSecureBoot: true, db: { allow: ['nope'] } }),
      ),
    ).toBe('ERR_INPUT_MALFORMED')
    expect(code(() => validateEventLogPolicy({ pcrs: [0, 0], requireSecureBoot: true }))).toBe(
      'ERR_INPUT_MALFORMED',
    )
    expect(
      code(() => validateEventLogPolicy({ pcrs: [0], requireSecureBoot: true, extra: 1 })),
    ).toBe('ERR_INPUT_MALFORMED')
    const pem = `-----BEGIN CERTIFICATE-----\n${btoa(String.fromCharCode(...rootDer))}\n-----END CERTIFICATE-----\n`
    const fromPem = validateEventLogPolicy({
      pcrs: [7],
      requireSecureBoot: false,
      authorities: { deny: [pem] },
    })
    expect(fromPem.authorities?.deny).toEqual([toHex(digest('sha256', rootDer))])
  })
})
