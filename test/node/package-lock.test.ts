/**
 * A fresh clone's `npm install` leaves package-lock.json unchanged. npm writes every optional
 * platform package of a dependency into the lock (workerd's darwin and windows builds here), so
 * a lock written on one platform with some of them missing was rewritten on the next install.
 * Two checks: offline, every optional dependency named in the lock has its own entry; and, when
 * the npm registry answers, `npm install --package-lock-only` in a copy changes nothing.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../bench/harness/wrangler-dev.ts'

interface Lock {
  packages: Record<string, { optionalDependencies?: Record<string, string> }>
}

const lockText = readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')
const dir = mkdtempSync(path.join(tmpdir(), 'aegis-lock-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('package-lock.json is complete and stable', () => {
  it('lists every optional dependency of every locked package', () => {
    const lock = JSON.parse(lockText) as Lock
    const missing: string[] = []
    for (const [at, pkg] of Object.entries(lock.packages)) {
      for (const dep of Object.keys(pkg.optionalDependencies ?? {})) {
        // npm resolves from the nearest node_modules upwards, as Node does.
        const parts = at.split('node_modules/').slice(0, -1)
        const candidates = [`${at}/node_modules/${dep}`]
        for (let i = parts.length; i >= 0; i--)
          candidates.push(`${parts.slice(0, i).join('node_modules/')}node_modules/${dep}`)
        if (!candidates.some((c) => c in lock.packages)) missing.push(`${at || '(root)'} -> ${dep}`)
      }
    }
    expect(missing).toEqual([])
  })

  it('npm install --package-lock-only in a copy changes nothing (needs the npm registry)', (ctx) => {
    copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(dir, 'package.json'))
    copyFileSync(path.join(REPO_ROOT, 'package-lock.json'), path.join(dir, 'package-lock.json'))
    // npm's own CLI when run through npm, else the npm on PATH
    const cli = process.env.npm_execpath?.endsWith('.js')
      ? [process.execPath, process.env.npm_execpath]
      : ['npm']
    try {
      execFileSync(
        cli[0]!,
        [
          ...cli.slice(1),
          'install',
          '--package-lock-only',
          '--ignore-scripts',
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
        ],
        {
          cwd: dir,
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 120_000,
          env: {
            ...process.env,
            PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`,
          },
        },
      )
    } catch (e) {
      const err = String((e as { stderr?: Buffer }).stderr ?? e)
      if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network/i.test(err)) return ctx.skip()
      throw e
    }
    expect(readFileSync(path.join(dir, 'package-lock.json'), 'utf8')).toBe(lockText)
  }, 150_000)
})
