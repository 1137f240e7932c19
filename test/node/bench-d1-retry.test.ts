/**
 * The bench's D1 reads (bench/harness/d1-query.ts) run beside a collector that commits to the same
 * SQLite file: a read that finds it locked is tried again after a pause, a few times; any other
 * failure, and a lock that outlasts the attempts, is reported as it came.
 */
import { describe, expect, it } from 'vitest'
import { retryWhileBusy } from '../../bench/harness/d1-query.ts'

/** A read that fails with each of `errors` in turn, then answers `rows`. */
function flaky(errors: string[], rows: number[]) {
  let calls = 0
  const read = async () => {
    const e = errors[calls++]
    if (e !== undefined) throw new Error(e)
    return rows
  }
  return { read, calls: () => calls }
}

const LOCKED =
  'wrangler d1 execute failed: SQLite failed; dbErrorMessage(err, db) = database is locked: SQLITE_BUSY'

describe('retryWhileBusy', () => {
  it('reads again while the database is locked, then answers', async () => {
    const f = flaky([LOCKED, 'Failed to get session commit token ... SQLITE_BUSY'], [1, 2])
    await expect(retryWhileBusy(f.read, 5, 1)).resolves.toEqual([1, 2])
    expect(f.calls()).toBe(3)
  })

  it('reports any other failure at once', async () => {
    const f = flaky(['no such table: batches'], [])
    await expect(retryWhileBusy(f.read, 5, 1)).rejects.toThrow('no such table: batches')
    expect(f.calls()).toBe(1)
  })

  it('gives up after the attempts with the lock error', async () => {
    const f = flaky([LOCKED, LOCKED, LOCKED], [])
    await expect(retryWhileBusy(f.read, 3, 1)).rejects.toThrow('database is locked')
    expect(f.calls()).toBe(3)
  })
})
