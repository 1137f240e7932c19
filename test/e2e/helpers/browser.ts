/**
 * Debian's chromium (/usr/bin/chromium, or AEGIS_CHROMIUM) driven by playwright-core, headless,
 * with a fresh profile directory and everything that would reach the internet switched off (the
 * test machine has none). Screenshots go to test-results/e2e/ as test artifacts.
 * Call stop() in afterAll.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

export const CHROMIUM = process.env.AEGIS_CHROMIUM ?? '/usr/bin/chromium'
export const SCREENSHOTS = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../../../test-results/e2e',
)

export interface Browser {
  context: BrowserContext
  newPage(): Promise<Page>
  screenshot(page: Page, name: string): Promise<string>
  stop(): Promise<void>
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no chromium at ${CHROMIUM}: apt-get install -y chromium (or set AEGIS_CHROMIUM)`,
    )
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'aegis-chromium-'))
  mkdirSync(SCREENSHOTS, { recursive: true })
  // launchPersistentContext passes --user-data-dir=profile itself (a fresh directory per run).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 1000 },
    acceptDownloads: true,
    timeout: 60_000,
  })
  context.setDefaultTimeout(20_000)
  return {
    context,
    newPage: () => context.newPage(),
    async screenshot(page, name) {
      const file = path.join(SCREENSHOTS, `${name}.png`)
      await page.screenshot({ path: file, fullPage: true })
      return file
    },
    async stop() {
      await context.close().catch(() => undefined)
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
