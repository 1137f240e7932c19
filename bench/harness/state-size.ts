/**
 * What the collector keeps on disk, read from a `wrangler dev --persist-to` directory: every file
 * with its size, and the SQLite databases among them (one per Durable Object plus a metadata
 * database per class; D1 and the queue broker keep theirs beside them). Used by the abuse
 * benchmark and test/node/abuse-swtpm.test.ts to show that refused requests store nothing.
 * Leaves out R2 blobs' contents (counted as files like everything else).
 */
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'

export function stateFiles(dir: string): Map<string, number> {
  const out = new Map<string, number>()
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else out.set(path.relative(dir, p), statSync(p).size)
    }
  }
  walk(dir)
  return out
}

/** SQLite databases, not their -wal/-shm companions (those come and go with checkpoints). */
export function databases(files: Iterable<string>): string[] {
  return [...files].filter((f) => f.endsWith('.sqlite'))
}

/** AgentLedger objects: one database each, the class's metadata database excluded. */
export function ledgerObjects(files: Iterable<string>): string[] {
  return databases(files).filter((f) => f.includes('AgentLedger') && !f.endsWith('metadata.sqlite'))
}

export interface StateSummary {
  files: number
  bytes: number
  ledger_objects: number
  /** Bytes per storage kind: the first two path segments (v3/d1, v3/do, v3/r2, v3/ratelimit...). */
  bytes_by_area: Record<string, number>
}

export function stateSummary(dir: string): StateSummary {
  const files = stateFiles(dir)
  let bytes = 0
  const byArea: Record<string, number> = {}
  for (const [f, n] of files) {
    bytes += n
    const area = f.split(path.sep).slice(0, 2).join('/')
    byArea[area] = (byArea[area] ?? 0) + n
  }
  return {
    files: files.size,
    bytes,
    ledger_objects: ledgerObjects(files.keys()).length,
    bytes_by_area: byArea,
  }
}

/**
 * Areas that are the collector's own storage (D1, Durable Objects, R2, KV, cache). wrangler dev
 * also keeps local tooling state beside them (the rate limiter simulation, the observability log
 * store) that does not exist in a deployment.
 */
export const COLLECTOR_AREAS = ['v3/d1', 'v3/do', 'v3/r2', 'v3/kv', 'v3/cache']

/** after - before, per area (areas absent before count from zero). */
export function areaGrowth(before: StateSummary, after: StateSummary): Record<string, number> {
  const out: Record<string, number> = {}
  for (const k of new Set([
    ...Object.keys(before.bytes_by_area),
    ...Object.keys(after.bytes_by_area),
  ])) {
    out[k] = (after.bytes_by_area[k] ?? 0) - (before.bytes_by_area[k] ?? 0)
  }
  return out
}
