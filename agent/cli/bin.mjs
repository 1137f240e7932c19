#!/usr/bin/env node
// `aegis` CLI launcher: loads the TypeScript sources through tsx (works on Node 20 and 22).
import { register } from 'tsx/esm/api'

register()
const { main } = await import('./main.ts')
process.exitCode = await main(process.argv.slice(2))
