/**
 * Read the collector's local D1 database from outside the worker, the way an operator would:
 * `wrangler d1 execute DB --local --persist-to DIR --command SQL --json`, against the same state
 * directory a running `wrangler dev --persist-to DIR` uses. Returns the result rows of the
 * statement. Leaves out parameters (callers build SQL from values they produced themselves).
 * The running collector commits to the same SQLite file, so a read can find it locked
 * (SQLITE_BUSY, "database is locked"): such a read is tried again, a few times, after a pause
 * (it only reads, so a retry changes nothing); any other failure is final.
 */
import { execFile } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { REPO_ROOT, WRANGLER_BIN, wranglerEnv } from './wrangler-dev.ts'

const BUSY = /SQLITE_BUSY|database is locked/

/** Run `read`, again after `delayMs * attempt` while it fails with a locked database. */
export async function retryWhileBusy<T>(
  read: () => Promise<T>,
  attempts = 5,
  delayMs = 250,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read()
    } catch (e) {
      if (attempt >= attempts || !BUSY.test(e instanceof Error ? e.message : String(e))) throw e
      await sleep(delayMs * attempt)
    }
  }
}

export function queryD1<T = Record<string, unknown>>(
  persistDir: string,
  sql: string,
): Promise<T[]> {
  return retryWhileBusy(() => executeOnce<T>(persistDir, sql))
}

function executeOnce<T>(persistDir: string, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    execFile(
      WRANGLER_BIN,
      ['d1', 'execute', 'DB', '--local', '--persist-to', persistDir, '--command', sql, '--json'],
      { cwd: REPO_ROOT, env: wranglerEnv(), maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err)
          return reject(new Error(`wrangler d1 execute failed: ${stderr}${stdout}`, { cause: err }))
        try {
          // --json prints one array of statement results; anything before it is a banner.
          const parsed = JSON.parse(stdout.slice(stdout.indexOf('['))) as { results: T[] }[]
          resolve(parsed.at(-1)?.results ?? [])
        } catch (e) {
          reject(new Error(`unexpected wrangler d1 output: ${stdout.slice(0, 500)}`, { cause: e }))
        }
      },
    )
  })
}
