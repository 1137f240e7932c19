/**
 * Run `wrangler dev --local` (workerd with local bindings) on a free loopback port, in its own
 * process group, and wait until a path answers 200. The inspector gets the next free port and the
 * interactive session is off, so several instances can run side by side. stop() ends the whole
 * process group (wrangler and its workerd child) and waits for it.
 * Leaves out remote mode and live reload.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { localCfEnv } from '../../scripts/local-cf.mjs'
import { freePortPair } from './free-port.ts'

export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')
export const WRANGLER_BIN = path.join(REPO_ROOT, 'node_modules/.bin/wrangler')

/**
 * Environment for every wrangler child: no telemetry, no prompts, no colour codes in logs, and
 * this process's Node first on PATH (wrangler's `#!/usr/bin/env node` would otherwise find the
 * system Node, which may be older than wrangler accepts).
 */
export function wranglerEnv(): NodeJS.ProcessEnv {
  const PATH = [
    path.dirname(process.execPath),
    path.join(REPO_ROOT, 'node_modules/.bin'),
    process.env.PATH,
  ]
    .filter(Boolean)
    .join(path.delimiter)
  // local cf object: no placeholder country, no fetch of workers.cloudflare.com (offline noise)
  const cf = localCfEnv(path.join(REPO_ROOT, '.wrangler'))
  return { ...process.env, ...cf, PATH, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' }
}

export interface WranglerDev {
  url: string
  /** wrangler's pid, which is also the process group of it and its workerd (detached). */
  pid: number
  logs(): string
  stop(): Promise<void>
}

export async function startWranglerDev(o: {
  /** Extra arguments after `dev --local --ip --port --inspector-port`, e.g. `-c file`. */
  args: string[]
  cwd?: string
  /** Path that must answer 2xx before the server counts as up. */
  readyPath: string
  /** Extra environment for wrangler (e.g. X_LOCAL_OBSERVABILITY). */
  env?: Record<string, string>
  timeoutMs?: number
}): Promise<WranglerDev> {
  const port = await freePortPair()
  let out = ''
  const child: ChildProcess = spawn(
    WRANGLER_BIN,
    [
      'dev',
      '--local',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(port + 1),
      '--show-interactive-dev-session=false',
      ...o.args,
    ],
    {
      cwd: o.cwd ?? REPO_ROOT,
      env: { ...wranglerEnv(), ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  )
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const done = new Promise((r) => child.once('exit', r))
    try {
      process.kill(-child.pid!, 'SIGTERM')
    } catch {
      child.kill('SIGTERM')
    }
    const late = await Promise.race([
      done.then(() => false),
      new Promise((r) => setTimeout(r, 5000, true)),
    ])
    // Never leave workerd behind: what did not stop in 5 s is killed.
    if (late) {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        /* already gone */
      }
    }
  }
  const url = `http://127.0.0.1:${port}`
  const until = Date.now() + (o.timeoutMs ?? 90_000)
  for (;;) {
    if (child.exitCode !== null) {
      // Let the pipes drain first: the reason is usually the last thing wrangler printed.
      await new Promise((r) => setTimeout(r, 300))
      throw new Error(`wrangler dev exited (${child.exitCode}): ${out}`)
    }
    try {
      if ((await fetch(url + o.readyPath)).ok) break
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) {
      await stop()
      throw new Error(`wrangler dev did not start: ${out}`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  return { url, pid: child.pid!, logs: () => out, stop }
}
