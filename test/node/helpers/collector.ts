/**
 * Start a real collector for an integration test: `wrangler dev` (workerd with local D1, R2, DOs
 * and Queues) on a free loopback port, with its own state directory, fresh development keys in an
 * env file, the D1 migrations applied, and the local swtpm CA configured as the manufacturer root
 * (the same seeding `npm run dev` does). Call stop() in afterAll.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { formatEnvFile, makeDevVars, type DevVars } from '../../../scripts/dev-vars.mjs'
import { mintDevToken, type DevRole } from '../../../agent/dev/dev-token.ts'
import { seedDevConfig } from '../../../scripts/seed-dev.ts'
import { freePortPair } from './swtpm.ts'

export interface Collector {
  url: string
  vars: DevVars
  token(role: DevRole): Promise<string>
  /** fetch with a role token */
  api(role: DevRole, pathname: string, init?: RequestInit): Promise<Response>
  logs(): string
  stop(): Promise<void>
}

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..')

export async function startCollector(opts: { vars?: Record<string, string> } = {}): Promise<Collector> {
  const dir = mkdtempSync(path.join(tmpdir(), 'aegis-collector-'))
  const vars = await makeDevVars()
  const envFile = path.join(dir, 'dev.env')
  const all = { ...vars, ...(opts.vars ?? {}) }
  writeFileSync(envFile, formatEnvFile(all))
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' }
  const persist = path.join(dir, 'state')
  const mig = spawnSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], {
    cwd: root,
    env,
    encoding: 'utf8',
  })
  if (mig.status !== 0) throw new Error(`migrations failed: ${mig.stderr}${mig.stdout}`)
  const port = await freePortPair()
  let out = ''
  const child: ChildProcess = spawn(
    'wrangler',
    ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persist, '--env-file', envFile,
      '--inspector-port', String(port + 1), '--show-interactive-dev-session=false'],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  )
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const url = `http://127.0.0.1:${port}`
  const until = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${out}`)
    try {
      if ((await fetch(`${url}/healthz`)).ok) break
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) throw new Error(`wrangler dev did not start: ${out}`)
    await new Promise((r) => setTimeout(r, 250))
  }
  const token = (role: DevRole) => mintDevToken(vars.DEV_ADMIN_JWKS, role)
  await seedDevConfig(url, await token('operator'))
  return {
    url,
    vars,
    token,
    async api(role, pathname, init = {}) {
      const headers = new Headers(init.headers)
      headers.set('authorization', `Bearer ${await token(role)}`)
      if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json')
      return fetch(url + pathname, { ...init, headers })
    },
    logs: () => out,
    async stop() {
      if (child.exitCode === null) {
        const done = new Promise((r) => child.once('exit', r))
        try {
          process.kill(-child.pid!, 'SIGTERM')
        } catch {
          child.kill('SIGTERM')
        }
        await Promise.race([done, new Promise((r) => setTimeout(r, 5000))])
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
