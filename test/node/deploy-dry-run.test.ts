/**
 * `wrangler deploy --dry-run` bundles the worker with every binding (issue 5: CI checks the
 * deploy bundle). Runs the real wrangler; nothing is uploaded.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT, WRANGLER_BIN, wranglerEnv } from '../../bench/harness/wrangler-dev.ts'

describe('deploy bundle', () => {
  it('bundles with wrangler deploy --dry-run, listing the DOs, queues, D1 and R2', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'aegis-dry-'))
    try {
      const r = spawnSync(WRANGLER_BIN, ['deploy', '--dry-run', '--outdir', out], {
        cwd: REPO_ROOT,
        env: wranglerEnv(),
        encoding: 'utf8',
        timeout: 120_000,
      })
      expect(r.status, r.stderr + r.stdout).toBe(0)
      const bundle = path.join(out, 'index.js')
      expect(existsSync(bundle)).toBe(true)
      expect(statSync(bundle).size).toBeGreaterThan(100_000)
      for (const b of ['AGENT_LEDGER', 'PROVENANCE_LOG', 'SYNC_QUEUE', 'DEAD_LETTERS', 'env.DB', 'EVIDENCE']) {
        expect(r.stdout).toContain(b)
      }
      expect(r.stdout).toContain('ENVIRONMENT ("production")')
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  }, 150_000)
})
