/**
 * `npm run build:console` while `wrangler dev` runs (npm test, npm run demo and check:deploy all
 * rebuild console/dist): the console must still be served at / after wrangler's reload. The build
 * used to delete and recreate console/dist, and wrangler's assets watcher then served 404 until
 * restarted; console/build.mjs now moves the new files into the same directory.
 */
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../../bench/harness/wrangler-dev.ts'
import { startCollector, type Collector } from '../helpers/collector.ts'

describe('console/dist rebuilt under a running wrangler dev', () => {
  let collector: Collector
  beforeAll(async () => {
    collector = await startCollector()
  }, 120_000)
  afterAll(async () => {
    await collector?.stop()
  })

  const page = async () => {
    const r = await fetch(`${collector.url}/`)
    return { status: r.status, body: await r.text() }
  }

  it('still serves / and the assets index.html names', async () => {
    const before = await page()
    expect(before.status).toBe(200)
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'console/build.mjs')], { stdio: 'ignore' })
    // wrangler notices the change and reloads within a few seconds; 404 would persist.
    await new Promise((r) => setTimeout(r, 3000))
    let after = await page()
    for (let i = 0; i < 40 && after.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 250))
      after = await page()
    }
    expect(after.status, after.body.slice(0, 200)).toBe(200)
    const js = /src="\/?([^"]+\.js)"/.exec(after.body)?.[1]
    expect(js).toBeTruthy()
    expect((await fetch(`${collector.url}/${js}`)).status).toBe(200)
  }, 60_000)
})
