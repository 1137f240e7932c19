#!/usr/bin/env node
/**
 * `npm run dev [-- --port N --ip ADDR ...]`: local collector with all state on disk (.wrangler/).
 * Creates .dev.vars with fresh development keys on first run, applies D1 migrations to the local
 * database, then starts `wrangler dev`, passing every extra argument through.
 */
import { spawn, spawnSync } from 'node:child_process'
import { ensureDevVars } from './dev-vars.mjs'

process.env.WRANGLER_SEND_METRICS = 'false'
const args = process.argv.slice(2)

await ensureDevVars()
const mig = spawnSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local'], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, CI: 'true' },
})
if (mig.status !== 0) process.exit(mig.status ?? 1)

const child = spawn('wrangler', ['dev', '--local', ...args], { stdio: 'inherit' })
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
