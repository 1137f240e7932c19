#!/usr/bin/env node
/**
 * `npm run dev [-- --port N --ip ADDR ...]`: local collector with all state on disk (.wrangler/).
 * Creates .dev.vars with fresh development keys on first run, applies D1 migrations to the local
 * database, starts `wrangler dev` (every extra argument passed through), then seeds development
 * configuration through the operator API: the local swtpm CA as the manufacturer root.
 */
import { spawn, spawnSync } from 'node:child_process'
import { ensureDevVars } from './dev-vars.mjs'
import { localCfEnv } from './local-cf.mjs'

process.env.WRANGLER_SEND_METRICS = 'false'
// No placeholder country and no fetch of workers.cloudflare.com (scripts/local-cf.mjs).
Object.assign(process.env, localCfEnv('.wrangler'))
const args = process.argv.slice(2)

const vars = await ensureDevVars()
const mig = spawnSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', '--env', 'dev'], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, CI: 'true' },
})
if (mig.status !== 0) process.exit(mig.status ?? 1)

const child = spawn('wrangler', ['dev', '--local', '--env', 'dev', ...args], { stdio: 'inherit' })
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))

// Seed once the collector answers.
const portArg =
  args.find((a, i) => args[i - 1] === '--port') ??
  args.find((a) => a.startsWith('--port='))?.slice(7)
const ipArg =
  args.find((a, i) => args[i - 1] === '--ip') ?? args.find((a) => a.startsWith('--ip='))?.slice(5)
const host =
  !ipArg || ipArg === '0.0.0.0' || ipArg === '*'
    ? '127.0.0.1'
    : ipArg.includes(':')
      ? `[${ipArg}]`
      : ipArg
const url = `http://${host}:${portArg ?? 8787}`
const { register } = await import('tsx/esm/api')
register()
const { seedDevConfig, SWTPM_LOCALCA_DIR } = await import('./seed-dev.ts')
const { mintDevToken } = await import('../agent/dev/dev-token.ts')
for (let i = 0; i < 240; i++) {
  await new Promise((r) => setTimeout(r, 500))
  try {
    if (!(await fetch(`${url}/healthz`)).ok) continue
  } catch {
    continue
  }
  const r = await seedDevConfig(url, await mintDevToken(vars.DEV_ADMIN_JWKS, 'operator'))
  if (r.trust === 'no-local-ca') {
    console.log(
      `[aegis] no swtpm CA in ${SWTPM_LOCALCA_DIR} yet: install swtpm and run swtpm_setup (or 'npm run demo'), then restart dev to trust it`,
    )
  } else
    console.log(
      `[aegis] dev trust roots: ${r.trust}. Operator token: npx aegis token --role operator`,
    )
  break
}
