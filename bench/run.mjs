#!/usr/bin/env node
/**
 * `npm run bench` entry: registers tsx so the TypeScript harness (bench/run.ts) and the modules it
 * shares with the agent and the tests load as they are, then runs it. Options: see bench/run.ts.
 */
import { register } from 'tsx/esm/api'

process.env.WRANGLER_SEND_METRICS = 'false'
register()
await import('./run.ts')
