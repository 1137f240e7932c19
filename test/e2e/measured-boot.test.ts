/**
 * The console's measured-boot section end to end: an agent on swtpm extended from a real RHEL 8
 * event log enrolls under an event-log policy; after a reboot into a real COS 85 boot chain its
 * batches are refused. In chromium an operator sees the event-log policy, picks the agent and
 * reads which events changed between the accepted and the refused boot; then saves a policy that
 * allows the new boot loader from the console, and the agent's next batches are accepted.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadState } from '../../agent/state/agent-state.ts'
import { shutdown } from '../../agent/tpm/commands/shutdown.ts'
import { Tpm } from '../../agent/tpm/tpm.ts'
import { startCollector, type Collector } from '../node/helpers/collector.ts'
import { startSwtpm, type Swtpm } from '../node/helpers/swtpm.ts'
import { bootApps, bootFromLog, COS85, RHEL8 } from '../node/helpers/measured-boot.ts'
import { launchBrowser, type Browser } from './helpers/browser.ts'
import { enrollWithCli, sendWithCli } from '../node/helpers/fixtures.ts'

const apps = bootApps

describe('console: measured boot', () => {
  let swtpm: Swtpm
  let collector: Collector
  let browser: Browser
  let agentId: string
  const tpmDir = mkdtempSync(path.join(tmpdir(), 'aegis-e2e-mb-tpm-'))
  const agentDir = mkdtempSync(path.join(tmpdir(), 'aegis-e2e-mb-agent-'))
  const biosLog = path.join(agentDir, 'binary_bios_measurements')

  const boot = async (log: string, sensor?: { id: string; firmware: string; pcr: number }) => {
    await bootFromLog(swtpm.agentTpm, log, biosLog, sensor)
  }
  const send = async () => {
    const r = await sendWithCli(
      agentDir,
      '1',
      '48.8566,2.3522,10',
      '--tpm',
      swtpm.agentTpm,
      '--json',
    )
    return JSON.parse(r.out) as { accepted: number; rejected: { code: string }[] }
  }

  beforeAll(async () => {
    swtpm = await startSwtpm({ stateDir: tpmDir, provision: true })
    collector = await startCollector()
    browser = await launchBrowser()
    await boot(RHEL8)
    const cur = (await (await collector.api('operator', '/v1/config/policy')).json()) as {
      value: Record<string, unknown>
    }
    const eventLog = {
      pcrs: [0, 1, 2, 3, 4, 5, 6, 7],
      requireSecureBoot: true,
      bootApps: { allow: apps(RHEL8) },
    }
    const put = await collector.api('operator', '/v1/config/policy', {
      method: 'PUT',
      body: JSON.stringify({ value: { ...cur.value, eventLog } }),
    })
    expect(put.status).toBe(200)
    const e = await enrollWithCli(collector.url, swtpm.agentTpm, agentDir, '--event-log', biosLog)
    expect(e.code, e.out + e.err).toBe(0)
    agentId = (JSON.parse(e.out) as { agentId: string }).agentId
    const state = (await loadState(agentDir))!
    // reboot into another boot chain
    const tpm = await Tpm.open(swtpm.agentTpm)
    await shutdown(tpm)
    await tpm.close()
    await swtpm.stop()
    swtpm = await startSwtpm({ stateDir: tpmDir, provision: false })
    await boot(COS85, state.sensor)
    expect((await send()).rejected.map((r) => r.code)).toEqual(['ERR_EVENTLOG_POLICY'])
  }, 240_000)

  afterAll(async () => {
    await browser?.stop()
    await collector?.stop()
    await swtpm?.stop()
    for (const d of [tpmDir, agentDir]) rmSync(d, { recursive: true, force: true })
  })

  it('shows the changed events of the refused boot and saves a policy that admits it', async () => {
    const page = await browser.newPage()
    await page.goto(collector.url + '/')
    await page.locator('#token').fill(await collector.token('operator'))
    await page.locator('#sign-in').click()
    await page.locator('#whoami[data-role="operator"]').waitFor()
    await page.goto(`${collector.url}/#/policy`)
    const form = page.locator('form[data-config="eventLog"]')
    await form.waitFor()
    expect(await form.locator('textarea').inputValue()).toContain(apps(RHEL8)[0]!)

    await page.locator('select[name="boot-agent"]').selectOption(agentId)
    const changes = page.locator('#boot-changes')
    await changes.waitFor()
    const text = await changes.innerText()
    expect(text).toContain('EV_EFI_BOOT_SERVICES_APPLICATION')
    expect(text).toContain('#22')
    expect(await page.locator('#boot-view').innerText()).toContain('ERR_EVENTLOG_POLICY')
    await browser.screenshot(page, '20-measured-boot-changes')

    const policy = {
      pcrs: [0, 1, 2, 3, 4, 5, 6, 7],
      requireSecureBoot: true,
      bootApps: { allow: [...apps(RHEL8), ...apps(COS85)] },
    }
    await form.locator('textarea').fill(JSON.stringify(policy))
    await form.locator('button[type="submit"]').click()
    await form.locator('.ok').waitFor()
    await browser.screenshot(page, '21-measured-boot-policy-saved')
    expect(await send()).toMatchObject({ accepted: 1, rejected: [] })
  })
})
