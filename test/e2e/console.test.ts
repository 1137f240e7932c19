/**
 * The web console end to end: a real collector (wrangler dev, console/dist served as Workers
 * static assets), two agents enrolled and sending through the `aegis` CLI on swtpm, one of them
 * rejected for a fix outside its zone, and Debian's chromium clicking through the console as an
 * operator, an auditor and a viewer. Each step saves a screenshot to test-results/e2e/.
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { cli } from '../node/helpers/cli.ts'
import { startCollector, type Collector } from '../node/helpers/collector.ts'
import { startSwtpm, type Swtpm } from '../node/helpers/swtpm.ts'
import { SWTPM_LOCALCA_DIR } from '../../scripts/seed-dev.ts'
import { launchBrowser, type Browser } from './helpers/browser.ts'
import { PARIS_POLYGON, until } from '../node/helpers/fixtures.ts'

const ROOTS = [
  `${SWTPM_LOCALCA_DIR}/swtpm-localca-rootca-cert.pem`,
  `${SWTPM_LOCALCA_DIR}/issuercert.pem`,
]
const PARIS_ZONE = {
  name: 'Paris',
  geometry: PARIS_POLYGON,
  countries: ['FR'],
}
const BERLIN = '52.52,13.405,10'

describe('web console against wrangler dev, swtpm agents and chromium', () => {
  let swtpm: Swtpm
  let collector: Collector
  let browser: Browser
  let dir: string
  let agentA: string
  let agentB: string
  let acceptedA: string[] = []
  const pageErrors: string[] = []

  const send = async (stateDir: string, args: string[] = []) => {
    // The fix is explicit: agent send has no built-in position (Paris unless the test gives one).
    const loc = args.includes('--location') ? [] : ['--location', '48.8566,2.3522,10']
    const r = await cli(['agent', 'send', '--state', stateDir, ...loc, ...args])
    return {
      code: r.code,
      out: JSON.parse(r.out) as {
        accepted: number
        rejected: { code: string }[]
        batchIds: string[]
      },
    }
  }
  const pages: Page[] = []
  const logs = new Map<Page, string[]>()
  const open = async (role: 'operator' | 'auditor' | 'viewer'): Promise<Page> => {
    const page = await browser.newPage()
    pages.push(page)
    page.on('pageerror', (e) => pageErrors.push(`${role}: ${e.message}`))
    page.on('console', (m) => {
      logs.set(page, [...(logs.get(page) ?? []), `${m.type()}: ${m.text()}`])
      if (m.type() === 'error' && /Content Security Policy|Uncaught/i.test(m.text()))
        pageErrors.push(`${role}: ${m.text()}`)
    })
    await page.goto(collector.url + '/')
    await page.locator('#token').fill(await collector.token(role))
    await page.locator('#sign-in').click()
    await page.locator(`#whoami[data-role="${role}"]`).waitFor()
    return page
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aegis-e2e-'))
    swtpm = await startSwtpm()
    collector = await startCollector()
    const aDir = path.join(dir, 'agent-a')
    const bDir = path.join(dir, 'agent-b')
    const base = ['agent', 'enroll', '--collector', collector.url, '--tpm', swtpm.agentTpm]
    const ea = await cli([...base, '--state', aDir, '--ek', 'rsa'])
    expect(ea.code, ea.out + ea.err).toBe(0)
    const eb = await cli([...base, '--state', bDir, '--ek', 'ecc', '--ak-handle', '0x81008002'])
    expect(eb.code, eb.out + eb.err).toBe(0)
    agentA = (JSON.parse(ea.out) as { agentId: string }).agentId
    agentB = (JSON.parse(eb.out) as { agentId: string }).agentId

    const put = (p: string, body: unknown) =>
      collector.api('operator', p, { method: 'PUT', body: JSON.stringify(body) })
    expect((await put('/v1/zones/paris', PARIS_ZONE)).status).toBe(200)
    expect((await put(`/v1/agents/${agentA}/zones`, { zones: ['paris'] })).status).toBe(200)
    expect((await put(`/v1/agents/${agentB}/zones`, { zones: ['paris'] })).status).toBe(200)
    await new Promise((r) => setTimeout(r, 5_100)) // the collector caches configuration for 5 s

    const a = await send(aDir, ['--count', '3'])
    expect(a.out).toMatchObject({ accepted: 3, rejected: [] })
    acceptedA = a.out.batchIds
    expect((await send(bDir)).out).toMatchObject({ accepted: 1 })
    const rejected = await send(bDir, ['--location', BERLIN])
    expect([rejected.code, rejected.out.rejected.map((r) => r.code)]).toEqual([
      1,
      ['ERR_GEO_OUTSIDE'],
    ])

    // Accepted batches and decisions reach D1 through the sync queue.
    await until('provenance of the last accepted batch', async () =>
      (await collector.api('auditor', `/v1/provenance/${acceptedA.at(-1)}`)).status === 200
        ? true
        : undefined,
    )
    await until('the rejection in the audit trail', async () => {
      const r = (await (
        await collector.api('auditor', `/v1/decisions?agent=${agentB}&verdict=reject`)
      ).json()) as { decisions: unknown[] }
      return r.decisions.length ? true : undefined
    })
    browser = await launchBrowser()
  }, 300_000)

  // A failed test leaves a screenshot and the view's text of each page it opened.
  afterEach(async (ctx) => {
    const open = pages.splice(0).filter((p) => !p.isClosed())
    if (ctx.task.result?.state === 'fail') {
      for (const [i, p] of open.entries()) {
        const name = `failed-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}-${i}`
        await browser.screenshot(p, name).catch(() => undefined)
        console.error(
          name,
          p.url(),
          await p
            .locator('#view')
            .innerText()
            .catch(() => '(no view)'),
          logs.get(p) ?? [],
        )
      }
    }
    await Promise.all(open.map((p) => p.close()))
  })

  afterAll(async () => {
    await browser?.stop()
    await collector?.stop()
    await swtpm?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('serves the console as static assets while API paths still reach the worker', async () => {
    const index = await fetch(collector.url + '/')
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toMatch(/^text\/html/)
    expect(index.headers.get('content-security-policy')).toMatch(/default-src 'self'/)
    expect(await index.text()).toContain('id="view"')
    const missing = await fetch(collector.url + '/v1/no-such-route')
    expect([missing.status, missing.headers.get('content-type')]).toEqual([
      404,
      'application/problem+json',
    ])
    expect((await (await fetch(collector.url + '/healthz')).json()) as object).toMatchObject({
      ok: true,
    })
    expect(
      (await fetch(collector.url + '/.well-known/jwks.json')).headers.get('content-type'),
    ).toMatch(/json/)
    const metrics = await fetch(collector.url + '/metrics')
    expect([metrics.status, ((await metrics.json()) as { code: string }).code]).toEqual([
      401,
      'ERR_AUTH_MISSING',
    ])
  })

  it('signs in with a pasted token, refusing a bad one, and shows the operator every view', async () => {
    const page = await browser.newPage()
    pages.push(page)
    await page.goto(collector.url + '/')
    await expect(page.locator('.sign-in').textContent()).resolves.toContain(
      'npx aegis token --role operator',
    )
    await browser.screenshot(page, '01-sign-in')
    await page.locator('#token').fill('not.a.token')
    await page.locator('#sign-in').click()
    await page.locator('.sign-in .refusal[data-code="ERR_AUTH_INVALID"]').waitFor()
    await page.locator('#token').fill(await collector.token('operator'))
    await page.locator('#sign-in').click()
    await page.locator('#whoami[data-role="operator"]').waitFor()
    expect(
      await page.locator('#nav a').evaluateAll((as) => as.map((a) => a.getAttribute('data-view'))),
    ).toEqual(['fleet', 'metrics', 'decisions', 'provenance', 'policy'])
    // the token lives in this tab's sessionStorage: a reload stays signed in
    await page.reload()
    await page.locator('#whoami[data-role="operator"]').waitFor()
    await page.close()
  })

  it('fleet: both agents with status, last batch and last rejection, zones and fixes on the map', async () => {
    const page = await open('operator')
    await page.locator('#fleet-table').waitFor()
    const rowA = page.locator(`#fleet-table tr[data-agent="${agentA}"]`)
    const rowB = page.locator(`#fleet-table tr[data-agent="${agentB}"]`)
    expect(await rowA.getAttribute('data-status')).toBe('active')
    expect(await rowB.getAttribute('data-status')).toBe('failing')
    expect(await rowA.locator('.residency').getAttribute('data-jurisdiction')).toBe('none')
    expect(await rowA.locator('.residency').textContent()).toBe('unrestricted')
    expect(await rowB.locator('.last-rejection [data-code]').getAttribute('data-code')).toBe(
      'ERR_GEO_OUTSIDE',
    )
    expect(await rowB.locator('.last-rejection .reason').textContent()).toMatch(
      /outside every zone/,
    )
    expect(await rowA.locator('.provenance-link').getAttribute('href')).toBe(
      `#/provenance/${acceptedA.at(-1)}`,
    )
    expect(await page.locator('[data-stat="failing"] b').textContent()).toBe('1')
    // Leaflet draws the zone polygon and one marker per agent's last fix as SVG, no tiles needed
    await page.locator('#fleet-map path.zone-paris').waitFor()
    // A's and B's last accepted fixes, and B's refused one (Berlin) where B reported it
    expect(await page.locator('#fleet-map path.fix').count()).toBe(3)
    expect(await page.locator('#fleet-map path.fix-failing').count()).toBe(1)
    expect(await page.locator('#fleet-map path.fix-refused').count()).toBe(1)
    expect(await page.locator('#fleet-map img.leaflet-tile').count()).toBe(0)
    // an offline basemap (world-atlas country outlines), the zone named on the map, a legend
    await expect.poll(() => page.locator('#fleet-map path.basemap').count()).toBeGreaterThan(100)
    expect(await page.locator('#fleet-map .zone-label-paris').textContent()).toBe('Paris')
    expect(await page.locator('#fleet-legend li').allTextContents()).toEqual([
      'zone',
      'active: last accepted fix',
      'failing: last accepted fix',
      'failing: fix reported with the refusal',
      'revoked',
    ])
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('/favicon.svg')
    expect((await fetch(`${collector.url}/favicon.svg`)).headers.get('content-type')).toMatch(/svg/)
    await browser.screenshot(page, '02-fleet')
    await page.close()
  })

  it('decisions: opens the rejected batch and shows its reason code and detail', async () => {
    const page = await open('auditor')
    await page.locator('#fleet-table').waitFor()
    await page.locator(`#fleet-table tr[data-agent="${agentB}"] .decisions-link`).click()
    await page.locator('#decisions-table').waitFor()
    expect(await page.locator('#filter-agent').inputValue()).toBe(agentB)
    expect(
      await page
        .locator('#rejection-counts li[data-code="ERR_GEO_OUTSIDE"]')
        .getAttribute('data-count'),
    ).toBe('1')
    const rows = page.locator('#decisions-table tbody tr')
    expect(await rows.count()).toBe(1)
    await rows.first().click()
    const detail = page.locator('#decision-detail')
    await detail.waitFor()
    expect(await detail.locator('[data-code]').first().getAttribute('data-code')).toBe(
      'ERR_GEO_OUTSIDE',
    )
    expect(await detail.textContent()).toMatch(/outside every zone assigned/)
    expect(await detail.locator('.badge').textContent()).toBe('reject')
    // the geofence refusal in words: where the fix was and how far the zone is
    const geo = await detail.locator('#geo-detail').textContent()
    expect(geo).toContain('Reported fix52.52000, 13.40500 (±10 m)')
    expect(geo).toContain('Nearest zoneparis')
    expect(geo).toMatch(/Distance to it8\d\d km/)
    await browser.screenshot(page, '03-rejected-decision')
    // a filter the collector refuses keeps the form and shows the error under it
    await page.goto(`${collector.url}/#/decisions?from=yesterday`)
    await page.locator('#filter-error [data-code]').waitFor()
    expect(await page.locator('#decision-filters').count()).toBe(1)
    expect(await page.locator('#filter-error [data-code]').getAttribute('data-code')).toBe(
      'ERR_INPUT_MALFORMED',
    )
    await browser.screenshot(page, '03b-decisions-bad-filter')
    // the time filter shows and takes UTC, like the times in the table
    await page.goto(`${collector.url}/#/decisions?from=2026-01-02T03:04:00.000Z`)
    await page.locator('#decision-filters').waitFor()
    expect(await page.locator('#filter-from').inputValue()).toBe('2026-01-02T03:04')
    await page.locator('#filter-to').fill('2030-05-06T07:08')
    await page.locator('#decision-filters button[type="submit"]').click()
    await expect
      .poll(() => page.evaluate(() => decodeURIComponent(location.hash)))
      .toContain('to=2030-05-06T07:08:00.000Z')
    // filtering by code from the counts keeps only that code
    await page.goto(`${collector.url}/#/decisions?verdict=accept&agent=${agentA}`)
    await page.locator('#decisions-table').waitFor()
    expect(
      new Set(
        await page
          .locator('#decisions-table tbody tr')
          .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-verdict'))),
      ),
    ).toEqual(new Set(['accept']))
    await page.close()
  })

  it('provenance: an accepted batch re-verifies in the browser, every step green, and downloads for the CLI', async () => {
    const page = await open('operator')
    await page.locator(`#fleet-table tr[data-agent="${agentA}"] .provenance-link`).click()
    const verdict = page.locator('#provenance-verdict')
    await verdict.waitFor({ timeout: 30_000 })
    expect(await verdict.getAttribute('data-ok')).toBe('true')
    const states = await page
      .locator('#provenance-steps li')
      .evaluateAll((ls) =>
        ls.map((l) => [l.getAttribute('data-step'), l.getAttribute('data-state')]),
      )
    expect(states).toEqual(
      ['bundle', 'ek', 'ak-binding', 'quote', 'nonce', 'pcrs', 'geofence', 'receipt', 'log'].map(
        (s) => [s, 'ok'],
      ),
    )
    await browser.screenshot(page, '04-provenance-verified')

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#download-bundle').click(),
    ])
    expect(download.suggestedFilename()).toBe(`provenance-${acceptedA.at(-1)}.json`)
    const file = path.join(dir, download.suggestedFilename())
    await download.saveAs(file)
    const jwks = path.join(dir, 'jwks.json')
    writeFileSync(jwks, await (await fetch(`${collector.url}/.well-known/jwks.json`)).text())
    const v = await cli([
      'verify',
      'bundle',
      file,
      '--roots',
      ROOTS[0]!,
      '--roots',
      ROOTS[1]!,
      '--jwks',
      jwks,
      '--json',
    ])
    expect(v.code, v.out + v.err).toBe(0)
    expect(JSON.parse(v.out)).toMatchObject({ ok: true, batchId: acceptedA.at(-1) })
    await page.close()
  })

  it('provenance as an auditor: roots pasted by the user; a wrong root fails the EK chain step', async () => {
    const page = await open('auditor')
    expect(
      await page.locator('#nav a').evaluateAll((as) => as.map((a) => a.getAttribute('data-view'))),
    ).toEqual(['fleet', 'metrics', 'decisions', 'provenance'])
    await page.goto(`${collector.url}/#/provenance/${acceptedA[0]}`)
    await page.locator('#roots-pem').waitFor()
    expect(await page.locator('#roots-source').inputValue()).toBe('pasted')
    // A root the swtpm EK certificates do not chain to: the check must fail, with its code.
    const foreign = readFileSync(
      path.resolve(
        process.env.AEGIS_SHARED ?? path.resolve(import.meta.dirname, '../../../shared'),
        'vectors/tpm2-tools/manufacturer-root.pem',
      ),
      'utf8',
    )
    await page.locator('#roots-pem').fill(foreign)
    await page.locator('#verify').click()
    await page.locator('#provenance-verdict[data-ok="false"]').waitFor()
    expect(
      await page.locator('#provenance-steps li[data-step="ek"]').getAttribute('data-state'),
    ).toBe('fail')
    expect(
      await page
        .locator('#provenance-steps li[data-step="ek"] [data-code]')
        .getAttribute('data-code'),
    ).toMatch(/^ERR_CERT_/)
    expect(
      await page.locator('#provenance-steps li[data-step="quote"]').getAttribute('data-state'),
    ).toBe('ok')
    await browser.screenshot(page, '05-provenance-wrong-root')
    // The right roots, uploaded as files
    await page.locator('#roots-pem').fill('')
    await page.locator('#roots-file').setInputFiles(ROOTS)
    await expect.poll(() => page.locator('#roots-pem').inputValue()).toContain('BEGIN CERTIFICATE')
    await page.locator('#verify').click()
    await page.locator('#provenance-verdict[data-ok="true"]').waitFor()
    expect(await page.locator('#provenance-steps li[data-state="ok"]').count()).toBe(9)
    await page.close()
  })

  it('metrics: charts the rollups per agent with a range selection', async () => {
    const page = await open('viewer')
    const now = Date.now()
    await page.goto(
      `${collector.url}/#/metrics?metric=memory.total&from=${now - 3600_000}&to=${now + 60_000}`,
    )
    const chart = page.locator('#metrics-chart[data-series]')
    await chart.waitFor()
    expect(await chart.getAttribute('data-series')).toBe('2')
    await page.locator('#metrics-chart canvas').waitFor()
    expect(await page.locator('#metrics-chart .u-legend .u-series').count()).toBe(3) // x plus two agents
    // bytes on a labelled axis, in IEC units; times in UTC
    expect(await chart.getAttribute('data-unit')).toBe('By')
    // (uPlot draws axes on a canvas; the view mirrors the label and tick texts as data attributes)
    expect(await chart.getAttribute('data-y-label')).toBe('memory.total (bytes)')
    expect(await chart.getAttribute('data-y-ticks')).toMatch(
      /^(\d+(\.\d+)? (B|KiB|MiB|GiB|TiB)\|?)+$/,
    )
    expect(await chart.getAttribute('data-y-ticks')).toMatch(/GiB/)
    expect(await page.locator('.chart-info').textContent()).toContain('UTC')
    const fromValue = await page.locator('input[name="from"]').inputValue()
    expect(fromValue).toBe(new Date(now - 3600_000).toISOString().slice(0, 16))
    await browser.screenshot(page, '06-metrics')
    // a preset is a live window: no fixed end in the URL, refreshed
    await page.locator('[data-range="24h"]').click()
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/range=24h/)
    // the view re-renders in place: wait for the new chart's text, not for any canvas
    await expect
      .poll(() => page.locator('.chart-info').textContent())
      .toMatch(/live, updated \d\d:\d\d:\d\dZ/)
    // no range at all: live and fitted to the data
    await page.goto(`${collector.url}/#/metrics?metric=cpu.utilization`)
    await expect.poll(() => page.locator('#metrics-chart').getAttribute('data-unit')).toBe('%')
    expect(await page.locator('#metrics-chart').getAttribute('data-y-ticks')).toMatch(
      /^(\d+(\.\d)? %\|?)+$/,
    )
    await browser.screenshot(page, '06b-metrics-live-percent')
    await page.close()
  })

  it('policy: an operator changes a zone, and a bad geometry is refused inline with its path', async () => {
    const page = await open('operator')
    await page.goto(`${collector.url}/#/policy`)
    const form = page.locator('form.zone-form[data-zone="paris"]')
    await form.waitFor()
    // the agents table speaks the Fleet view's status words (agent B's last batch was refused)
    const state = (id: string) =>
      page.locator(`tr[data-agent="${id}"] .badge`).first().getAttribute('data-state')
    expect(await state(agentA)).toBe('active')
    expect(await state(agentB)).toBe('failing')
    await form.locator('input[name="name"]').fill('Paris (extended)')
    await form.locator('textarea[name="geometry"]').fill(
      JSON.stringify({
        type: 'Polygon',
        coordinates: [
          [
            [2.1, 48.7],
            [2.6, 48.7],
            [2.6, 49.0],
            [2.1, 49.0],
            [2.1, 48.7],
          ],
        ],
      }),
    )
    await form.locator('button.save').click()
    await form.locator('.form-status .ok').waitFor()
    const zones = (await (await collector.api('viewer', '/v1/zones')).json()) as {
      zones: { id: string; name: string; geometry: { coordinates: number[][][] } }[]
    }
    const paris = zones.zones.find((z) => z.id === 'paris')!
    expect(paris.name).toBe('Paris (extended)')
    expect(paris.geometry.coordinates[0]![0]).toEqual([2.1, 48.7])
    await browser.screenshot(page, '07-policy-zone-saved')

    await form.locator('textarea[name="geometry"]').fill(
      JSON.stringify({
        type: 'Polygon',
        coordinates: [
          [
            [2.1, 48.7],
            [2.6, 95],
            [2.1, 48.7],
          ],
        ],
      }),
    )
    await form.locator('button.save').click()
    const err = form.locator('.form-status .error')
    await err.waitFor()
    expect(await err.getAttribute('data-code')).toBe('ERR_GEO_INVALID_ZONE')
    expect(await err.locator('.error-path').textContent()).toMatch(/\$\.geometry/)
    await browser.screenshot(page, '08-policy-zone-refused')
    const after = (await (await collector.api('viewer', '/v1/zones')).json()) as {
      zones: { id: string; name: string }[]
    }
    expect(after.zones.find((z) => z.id === 'paris')!.name).toBe('Paris (extended)')
    await page.close()
  })

  it('a viewer sees the fleet and metrics only, and is refused the operator and auditor views', async () => {
    const page = await open('viewer')
    expect(
      await page.locator('#nav a').evaluateAll((as) => as.map((a) => a.getAttribute('data-view'))),
    ).toEqual(['fleet', 'metrics'])
    await page.locator('#fleet-table').waitFor()
    expect(await page.locator('#fleet-table .provenance-link').count()).toBe(0)
    expect(
      await page
        .locator(`#fleet-table tr[data-agent="${agentB}"] .last-rejection [data-code]`)
        .getAttribute('data-code'),
    ).toBe('ERR_GEO_OUTSIDE')
    await page.goto(`${collector.url}/#/policy`)
    const refusal = page.locator('.refusal')
    await refusal.waitFor()
    expect([
      await refusal.getAttribute('data-status'),
      await refusal.getAttribute('data-code'),
    ]).toEqual(['403', 'ERR_AUTH_FORBIDDEN'])
    expect(await refusal.textContent()).toMatch(/role viewer.*needs operator/)
    await browser.screenshot(page, '09-viewer-refused-policy')
    await page.goto(`${collector.url}/#/provenance/${acceptedA[0]}`)
    await page.locator('.refusal[data-code="ERR_AUTH_FORBIDDEN"]').waitFor()
    // and the API itself refuses the viewer's write, whatever the page shows
    const put = await collector.api('viewer', '/v1/zones/paris', {
      method: 'PUT',
      body: JSON.stringify(PARIS_ZONE),
    })
    expect(put.status).toBe(403)
    await page.close()
  })

  it('raised no script errors or Content-Security-Policy violations in any page', () => {
    expect(pageErrors).toEqual([])
  })
})
