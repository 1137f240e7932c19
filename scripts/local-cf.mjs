/**
 * The `request.cf` object local dev gives the worker. Left alone, wrangler (miniflare) fetches
 * https://workers.cloudflare.com/cf.json at every start (offline: a stack trace, twice) and falls
 * back to a placeholder saying country "US", which the collector then recorded beside every
 * decision as if it were the client's country. Pointing CLOUDFLARE_CF_FETCH_PATH at this file
 * (rewritten at each start: miniflare ignores one older than 30 days) gives a cf object without
 * a country: decisions record null, as on self-hosted workerd. Production is unaffected.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'

export const LOCAL_CF = {
  colo: 'LOCAL',
  asn: 0,
  asOrganization: '',
  clientTcpRtt: 0,
  httpProtocol: 'HTTP/1.1',
  tlsVersion: '',
  tlsCipher: '',
}

/** Write the file into `dir` and return the environment entry that makes wrangler use it. */
export function localCfEnv(dir) {
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'aegis-local-cf.json')
  // Atomically: several wrangler instances (parallel tests) may read it while it is rewritten.
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(LOCAL_CF) + '\n')
  renameSync(tmp, file)
  return { CLOUDFLARE_CF_FETCH_PATH: file }
}
