/**
 * The cron trigger's work (wrangler.toml `[triggers] crons`): publish a freshly signed tree head,
 * so the log's latest STH is never older than one cron interval and auditors can tell a live log
 * from a frozen one (RFC 9162 §4.10: a log signs its tree heads periodically). Leaves out pushing
 * heads anywhere: auditors pull them from GET /v1/log/sth.
 */
import { unwrap } from '../ledger/rpc-result.ts'
import { provenanceLog } from './log-stub.ts'
import type { SignedTreeHead } from './types.ts'

export async function publishTreeHead(env: Env): Promise<SignedTreeHead> {
  return unwrap(await provenanceLog(env).publishTreeHead())
}
