/**
 * `npm run demo` stops cleanly on Ctrl-C: the terminal's SIGINT goes to the demo's foreground
 * process group; within 10 s the demo has stopped its agents, TPMs and collector and exited 0,
 * and no process it started is left (wrangler and workerd included, which run in their own
 * process group). Runs the real demo (tsx scripts/demo.ts) with its state in a temp directory.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT, wranglerEnv } from '../../bench/harness/wrangler-dev.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'aegis-demo-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Every live descendant of `root` (from /proc: pid -> ppid). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>()
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      parent.set(Number(e), ppid)
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = []
  const walk = (p: number) => {
    for (const [c, pp] of parent) {
      if (pp !== p) continue
      out.push(c)
      walk(c)
    }
  }
  walk(root)
  return out
}

function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

describe('npm run demo and Ctrl-C', () => {
  it('stops everything within 10 s and leaves no process', async () => {
    const child = spawn(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['scripts/demo.ts'], {
      cwd: REPO_ROOT,
      env: { ...wranglerEnv(), AEGIS_DEMO_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own group, as a terminal's foreground job
    })
    let out = ''
    child.stdout!.on('data', (d) => (out += d))
    child.stderr!.on('data', (d) => (out += d))
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    const until = Date.now() + 150_000
    while (!out.includes('Aegis Edge demo is running')) {
      if (child.exitCode !== null || Date.now() > until)
        throw new Error(`demo did not start:\n${out}`)
      await new Promise((r) => setTimeout(r, 250))
    }
    const started = descendants(child.pid!)
    expect(started.length).toBeGreaterThan(4) // tsx's node, 2 swtpm, 2 agents, wrangler, workerd

    const t0 = Date.now()
    process.kill(-child.pid!, 'SIGINT')
    const code = await Promise.race([
      exited,
      new Promise<'timeout'>((r) => setTimeout(r, 10_000, 'timeout')),
    ])
    const ms = Date.now() - t0
    if (code === 'timeout') {
      for (const p of [child.pid!, ...descendants(child.pid!)]) process.kill(p, 'SIGKILL')
    }
    expect(code, out.slice(-2000)).toBe(0)
    expect(ms).toBeLessThan(10_000)
    expect(out).toContain('stopped. Agent state and logs stay in')
    await new Promise((r) => setTimeout(r, 500))
    const left = started.filter(running)
    for (const p of left) process.kill(p, 'SIGKILL')
    expect(
      left.map((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 120)),
    ).toEqual([])
  }, 200_000)
})
