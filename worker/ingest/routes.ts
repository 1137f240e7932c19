/**
 * Batch ingest, the hot path (DESIGN.md "Batch ingest"). Agents authenticate by TPM evidence
 * alone. GET .../nonce issues a fresh nonce; POST .../batches verifies a quoted batch statelessly
 * (verify-batch.ts), then makes exactly one RPC to the agent's ledger, which admits or rejects
 * atomically and keeps the accepted batch in its outbox until the sync consumer stored it.
 * The response carries `Server-Timing` with the verification time (local workerd measures
 * elapsed time at 1 ms resolution; on Cloudflare timers only advance on I/O, so it is coarse there).
 */
import { Hono, type Context } from 'hono'
import { AegisError, type ErrorCode } from '../../attest/errors.ts'
import type { AppEnv } from '../app-env.ts'
import { recordDecision } from '../audit/record-decision.ts'
import { loadConfig } from '../config/settings-store.ts'
import { cfCountry } from '../http/cf-country.ts'
import { readBodyBytes } from '../http/json-body.ts'
import { agentLedger } from '../ledger/ledger-stub.ts'
import { unwrap } from '../ledger/rpc-result.ts'
import { forgetAgent, loadAgent, type CachedAgent } from './agent-cache.ts'
import { judgeBootIfGoverned } from '../bootlog/judge-batch-boot.ts'
import { rememberBoot } from '../bootlog/judge-boot.ts'
import { POLICY_CODES, verifyBatch, wireQuote } from './verify-batch.ts'

const AGENT_ID = /^[0-9a-f]{64}$/

/** Rejections that depend on the agent record (zones, baseline, sensor, AK, status). */
const RECHECK_ON_FRESH_RECORD: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ...POLICY_CODES,
  'ERR_QUOTE_SIGNATURE',
  'ERR_QUOTE_SIGNER',
  'ERR_AGENT_REVOKED',
])

export const ingestRoutes = new Hono<AppEnv>()

function agentIdParam(c: Context<AppEnv>): string {
  const id = c.req.param('agentId') ?? ''
  if (!AGENT_ID.test(id)) throw new AegisError('ERR_AGENT_UNKNOWN', 'agent is not enrolled')
  return id
}

async function policyOf(env: Env) {
  const loaded = await loadConfig(env)
  if (!loaded.config.policy) throw new AegisError('ERR_POLICY_UNCONFIGURED', 'no ingest policy is configured')
  return { ...loaded, policy: loaded.config.policy }
}

ingestRoutes.get('/v1/agents/:agentId/nonce', async (c) => {
  const agentId = agentIdParam(c)
  const { policy } = await policyOf(c.env)
  const n = unwrap(await agentLedger(c.env, agentId).issueNonce(policy.nonceTtlSeconds, policy.maxOutstandingNonces))
  c.header('cache-control', 'no-store')
  return c.json({ nonce: n.nonce, expiresAt: new Date(n.expiresAt).toISOString() })
})

ingestRoutes.post('/v1/agents/:agentId/batches', async (c) => {
  const started = performance.now()
  const now = Date.now()
  const country = cfCountry(c.req.raw)
  let agentId: string | null = null
  let batchId: string | null = null
  let verifyMs: number | null = null
  try {
    agentId = agentIdParam(c)
    const { config, zones, policy } = await policyOf(c.env)
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      throw new AegisError('ERR_INPUT_UNSUPPORTED_MEDIA', 'expected Content-Type: application/json')
    }
    const bytes = await readBodyBytes(c.req.raw, policy.maxBodyBytes)
    let raw: unknown
    try {
      raw = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes))
    } catch (e) {
      throw new AegisError('ERR_INPUT_MALFORMED', 'body is not valid UTF-8 JSON', { cause: e })
    }
    const id = agentId
    // Verify against the cached agent record; if the ledger says the record changed (zones,
    // revocation, re-enrollment), reload it and verify again, once.
    const attempt = async (agent: CachedAgent) => {
      const t0 = performance.now()
      const v = verifyBatch({
        raw,
        agentId: id,
        agent,
        policy,
        zones,
        defaultZoneIds: config.defaultZoneIds,
        cfCountry: country,
        now,
        // Name the batch in the audit trail even when a later check rejects it.
        onBatchId: (bid) => (batchId = bid),
      })
      // Measured boot: only when the policy governs PCRs by the event log (D1 read on a change).
      const boot = await judgeBootIfGoverned({
        db: c.env.DB,
        agentId: id,
        policy,
        policyVersion: config.policyVersion,
        quoted: v.quote.pcrs ?? {},
        eventLog: v.wire.eventLog,
        now,
        findings: v.findings,
      })
      const vMs = performance.now() - t0
      verifyMs = vMs
      batchId = v.batchId
      const ci = v.quote.clockInfo
      const t1 = performance.now()
      const r = await agentLedger(c.env, id).admitBatch({
        recordVersion: agent.record.version ?? 0,
        akName: agent.record.akName,
        nonce: v.text.nonce,
        seq: v.payload.seq,
        clock: { clock: ci.clock.toString(), resetCount: ci.resetCount, restartCount: ci.restartCount },
        fix: v.payload.location,
        geo: { maxSpeedMps: policy.geo.maxSpeedMps, enforce: policy.mode === 'enforce' },
        nonceTtlSeconds: policy.nonceTtlSeconds,
        maxOutstandingNonces: policy.maxOutstandingNonces,
        batch: {
          batchId: v.batchId,
          agentId: id,
          seq: v.payload.seq,
          acceptedAt: now,
          findings: v.findings,
          zone: v.zone,
          cfCountry: country,
          verifyMs: vMs,
          payload: v.text.payload,
          nonce: v.text.nonce,
          quote: wireQuote(v),
          akPublic: agent.record.akPublic,
          akName: agent.record.akName,
          ekCertSha256: agent.record.ekCertSha256,
          policyVersion: config.policyVersion,
        },
      })
      return { v, r, boot, ledgerMs: performance.now() - t1 }
    }
    // A rejection decided on a cached record may be the cache's fault (zones widened, policy
    // baseline or AK changed by re-enrollment): reload the record and decide again, once. The
    // ledger also refuses a stale record version on acceptance (ERR_AGENT_STALE).
    const first = await loadAgent(c.env, id)
    let out: Awaited<ReturnType<typeof attempt>>
    try {
      out = await attempt(first)
    } catch (e) {
      if (!(first.cached && e instanceof AegisError && RECHECK_ON_FRESH_RECORD.has(e.code))) throw e
      forgetAgent(id)
      out = await attempt(await loadAgent(c.env, id))
    }
    if (!out.r.ok && out.r.error.code === 'ERR_AGENT_STALE') {
      forgetAgent(id)
      out = await attempt(await loadAgent(c.env, id))
    }
    const { v, ledgerMs } = out
    const vMs = verifyMs ?? 0
    const res = unwrap(out.r)
    c.header(
      'server-timing',
      `verify;dur=${vMs.toFixed(3)}, ledger;dur=${ledgerMs.toFixed(3)}, total;dur=${(performance.now() - started).toFixed(3)}`,
    )
    const nextNonce = { nextNonce: res.nextNonce, nextNonceExpiresAt: new Date(res.nextNonceExpiresAt).toISOString() }
    if (res.duplicateOf) {
      // Already stored: same receipt, nothing queued again.
      return c.json({ batchId: v.batchId, receipt: res.duplicateOf.receipt, duplicate: true, ...nextNonce }, 200)
    }
    const a = res.accepted!
    // The batch is admitted: its log is now this agent's accepted boot.
    if (out.boot) await rememberBoot(c.env.DB, id, out.boot, now)
    // The ledger's outbox already holds the batch; this notification is the fast path, its alarm
    // re-announces anything the consumer has not confirmed.
    c.executionCtx.waitUntil(
      c.env.SYNC_QUEUE.send({ type: 'batch', agentId, batchId: a.batchId }).catch((e: unknown) =>
        console.error('sync notification failed; the ledger alarm will retry', e),
      ),
    )
    return c.json(
      { batchId: a.batchId, receipt: a.receipt, verdict: a.verdict, findings: a.findings, zone: a.zone, ...nextNonce },
      202,
    )
  } catch (e) {
    if (agentId && e instanceof AegisError && (e.code === 'ERR_AGENT_REVOKED' || e.code === 'ERR_QUOTE_SIGNER')) {
      forgetAgent(agentId)
    }
    recordDecision(c.env, c.executionCtx, {
      at: now,
      kind: 'batch',
      agentId,
      batchId,
      verdict: 'reject',
      code: e instanceof AegisError ? e.code : 'ERR_INTERNAL',
      zone: null,
      cfCountry: country,
      verifyMs,
      detail: e instanceof AegisError && e.detail ? e.detail : null,
    })
    throw e
  }
})

