/**
 * Measured boot end to end: swtpm whose PCRs were extended from a real recorded UEFI event log
 * (RHEL 8 on GCE), the real collector (wrangler dev) with an event-log policy, the real agent CLI.
 * The agent enrolls and sends with the log; then an "update": the TPM restarts (PCRs reset) and is
 * extended from a second real log with a different boot chain (COS 85 on GCE). That boot is
 * refused naming the event while the policy does not allow its boot loader, and accepted once
 * the operator allows its digests.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadState, type AgentState } from '../../agent/state/agent-state.ts'
import { shutdown } from '../../agent/tpm/commands/shutdown.ts'
import { Tpm } from '../../agent/tpm/tpm.ts'
import { startCollector, type Collector } from './helpers/collector.ts'
import { startSwtpm, type Swtpm } from './helpers/swtpm.ts'
import { bootApps, bootFromLog, COS85, RHEL8 } from './helpers/measured-boot.ts'
import { enrollWithCli, sendWithCli } from './helpers/fixtures.ts'

const apps = bootApps

describe('measured boot against swtpm and wrangler dev', () => {
  let swtpm: Swtpm
  let collector: Collector
  let state: AgentState
  const tpmState = mkdtempSync(path.join(tmpdir(), 'aegis-mb-tpm-'))
  const agentDir = mkdtempSync(path.join(tmpdir(), 'aegis-mb-agent-'))
  // The agent reads "the firmware's" log from here, as it would /sys/kernel/security/...
  const biosLog = path.join(agentDir, 'binary_bios_measurements')

  const setPolicy = async (eventLog: Record<string, unknown>) => {
    const cur = (await (await collector.api('operator', '/v1/config/policy')).json()) as {
      value: Record<string, unknown>
    }
    const res = await collector.api('operator', '/v1/config/policy', {
      method: 'PUT',
      body: JSON.stringify({ value: { ...cur.value, eventLog } }),
    })
    expect(res.status, await res.clone().text()).toBe(200)
  }
  const boot = async (log: string) => {
    expect(await bootFromLog(swtpm.agentTpm, log, biosLog, state?.sensor)).toBe(false)
  }
  const send = async () => {
    const r = await sendWithCli(
      agentDir,
      '2',
      '48.8566,2.3522,10',
      '--tpm',
      swtpm.agentTpm,
      '--json',
    )
    const out = JSON.parse(r.out) as {
      accepted: number
      rejected: { code: string; message: string }[]
    }
    expect(r.code, r.out + r.err).toBe(out.rejected.length ? 1 : 0)
    return out
  }

  beforeAll(async () => {
    swtpm = await startSwtpm({ stateDir: tpmState, provision: true })
    collector = await startCollector()
    await boot(RHEL8)
  }, 180_000)

  afterAll(async () => {
    await collector?.stop()
    await swtpm?.stop()
    for (const d of [tpmState, agentDir]) rmSync(d, { recursive: true, force: true })
  })

  it('enrolls and sends with a log that replays to the quote and passes the policy', async () => {
    await setPolicy({
      pcrs: [0, 1, 2, 3, 4, 5, 6, 7],
      requireSecureBoot: true,
      bootApps: { allow: apps(RHEL8) },
    })
    const r = await enrollWithCli(collector.url, swtpm.agentTpm, agentDir, '--event-log', biosLog)
    expect(r.code, r.out + r.err).toBe(0)
    state = (await loadState(agentDir))!
    expect(state.eventLog).toBe(biosLog)
    expect(await send()).toMatchObject({ accepted: 2, rejected: [] })
    const b = (await (
      await collector.api('operator', `/v1/agents/${state.agentId}/boot`)
    ).json()) as { accepted: { secureBoot: boolean; kernel: { index: number } } }
    expect(b.accepted).toMatchObject({ secureBoot: true, kernel: { index: 77 } })
  })

  it('after an update to another boot chain: refused naming the event, then accepted when allowed', async () => {
    // An orderly power-off (TPM2_Shutdown saves the clock: the next boot's quotes are safe), then a
    // new swtpm process on the same state: a reboot, PCRs back at reset.
    const old = await Tpm.open(swtpm.agentTpm)
    await shutdown(old)
    await old.close()
    await swtpm.stop()
    swtpm = await startSwtpm({ stateDir: tpmState, provision: false }) // a reboot: PCRs at reset
    await boot(COS85)
    const refused = await send()
    expect(refused.accepted, JSON.stringify(refused)).toBe(0)
    expect(refused.rejected[0]!.code).toBe('ERR_EVENTLOG_POLICY')
    expect(refused.rejected[0]!.message).toContain(
      'event 22 (EV_EFI_BOOT_SERVICES_APPLICATION, PCR 4)',
    )
    const view = (await (
      await collector.api('operator', `/v1/agents/${state.agentId}/boot`)
    ).json()) as {
      refused: { findings: { rule: string }[] }
      changes: { pcr: number }[]
    }
    expect(view.refused.findings[0]!.rule).toBe('boot-app-not-allowed')
    expect(view.changes.some((c) => c.pcr === 4)).toBe(true)

    await setPolicy({
      pcrs: [0, 1, 2, 3, 4, 5, 6, 7],
      requireSecureBoot: true,
      bootApps: { allow: [...apps(RHEL8), ...apps(COS85)] },
    })
    expect(await send()).toMatchObject({ accepted: 2, rejected: [] })
  })
})
