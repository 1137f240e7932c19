/**
 * Batch ingest, the hot path (DESIGN.md "Batch ingest"). Agents authenticate by TPM evidence
 * alone. GET .../nonce issues a fresh stateless nonce (nothing stored); POST .../batches verifies
 * a quoted batch statelessly (verify-batch.ts), then makes exactly one RPC to the agent's ledger,
 * which admits or rejects atomically and keeps the accepted batch in its outbox until the sync
 * consumer stored it. Refusals are counted per client and aggregated (audit/record-refusal.ts).
 * The response carries `Server-Timing` with the verification time (local workerd measures
 * elapsed time at 1 ms resolution; on Cloudflare timers only advance on I/O, so it is coarse there).
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { AegisError, type ErrorCode } from '../../attest/errors.ts'
import type { AppEnv } from '../app-env.ts'
import type { Decision } from '../audit/record-decision.ts'
import { recordRefusal, refusalCode } from '../audit/record-refusal.ts'
import { loadConfig } from '../config/settings-store.ts'
import { cfCountry } from '../http/cf-country.ts'
import { readBodyBytes } from '../http/json-body.ts'
import { agentLedger } from '../ledger/ledger-stub.ts'
import { agentStatus } from '../store/agents.ts'
import { unwrap } from '../ledger/rpc-result.ts'
import { issueNonce } from '../ledger/stateless-nonce.ts'
import { assertNotBlocked, chargeAgent, clientAddress } from '../ratelimit/rate-limit.ts'
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

/**
 * Refusals that only a batch with a verified quote (signed by the enrolled AK, over a fresh nonce)
 * can reach: checks after the signature in verify-quote.ts, the policy checks, and the ledger's
 * clock and sequence checks. A nonce refusal is not among them: a replayed capture is anyone's.
 */
const AUTHENTICATED_REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ...POLICY_CODES,
  'ERR_QUOTE_CLOCK_UNSAFE',
  'ERR_PCR_SELECTION',
  'ERR_PCR_MISSING',
  'ERR_PCR_EXTRA',
  'ERR_PCR_DIGEST',
  'ERR_CLOCK_ROLLBACK',
  'ERR_SEQ_REPLAYED',
])

export const ingestRoutes = new Hono<AppEnv>()

function agentIdParam(c: Context<AppEnv>): string {
  const id = c.req.param('agentId') ?? ''
  if (!AGENT_ID.test(id)) throw new AegisError('ERR_AGENT_UNKNOWN', 'agent is not enrolled')
  return id
}

async function policyOf(env: Env) {
  const loaded = await loadConfig(env)
  if (!loaded.config.policy)
    throw new AegisError('ERR_POLICY_UNCONFIGURED', 'no ingest policy is configured')
  return { ...loaded, policy: loaded.config.policy }
}

// Stateless (ledger/stateless-nonce.ts): issuing writes nothing, so asking for nonces cannot evict
// the agent's own. Unknown agents cost one D1 read, never a ledger.
// A client blocked for too many refusals is answered 429 before any work (ratelimit/rate-limit.ts).
const guard: MiddlewareHandler<AppEnv> = async (c, next) => {
  assertNotBlocked('client', clientAddress(c.req.raw))
  await next()
}
ingestRoutes.use('/v1/agents/:agentId/nonce', guard)
ingestRoutes.use('/v1/agents/:agentId/batches', guard)

ingestRoutes.get('/v1/agents/:agentId/nonce', async (c) => {
  let agentId: string | null = null
  try {
    agentId = agentIdParam(c)
    const { policy } = await policyOf(c.env)
    // Read from D1 each time (nonce requests are rare: batches chain nextNonce), so a revocation
    // applies at once and the ledger is never addressed.
    const status = await agentStatus(c.env.DB, agentId)
    if (status === null) throw new AegisError('ERR_AGENT_UNKNOWN', 'agent is not enrolled')
    if (status !== 'active') throw new AegisError('ERR_AGENT_REVOKED', 'agent is revoked')
    // Charged only for enrolled agents: random agentIds are the client's refusals, not a budget.
    await chargeAgent(c.env, agentId)
    const n = issueNonce(c.env, agentId, policy.nonceTtlSeconds)
    c.header('cache-control', 'no-store')
    return c.json({ nonce: n.nonce, expiresAt: new Date(n.expiresAt).toISOString() })
  } catch (e) {
    const at = Date.now()
    await recordRefusal(
      c,
      { ...refusal(at, 'nonce', agentId, e), cfCountry: cfCountry(c.req.raw) },
      true,
    )
    throw e
  }
})

function refusal(
  at: number,
  kind: 'nonce' | 'batch',
  agentId: string | null,
  e: unknown,
): Decision {
  return {
    at,
    kind,
    agentId,
    batchId: null,
    verdict: 'reject',
    code: refusalCode(e),
    zone: null,
    cfCountry: null,
    verifyMs: null,
    detail: e instanceof AegisError && e.detail ? e.detail : null,
  }
}

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
        clock: {
          clock: ci.clock.toString(),
          resetCount: ci.resetCount,
          restartCount: ci.restartCount,
        },
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
    const nextNonce = {
      nextNonce: res.nextNonce,
      nextNonceExpiresAt: new Date(res.nextNonceExpiresAt).toISOString(),
    }
    if (res.duplicateOf) {
      // Already stored: same receipt, nothing queued again.
      return c.json(
        { batchId: v.batchId, receipt: res.duplicateOf.receipt, duplicate: true, ...nextNonce },
        200,
      )
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
      {
        batchId: a.batchId,
        receipt: a.receipt,
        verdict: a.verdict,
        findings: a.findings,
        zone: a.zone,
        ...nextNonce,
      },
      202,
    )
  } catch (e) {
    if (
      agentId &&
      e instanceof AegisError &&
      (e.code === 'ERR_AGENT_REVOKED' || e.code === 'ERR_QUOTE_SIGNER')
    ) {
      forgetAgent(agentId)
    }
    // Only a batch whose quote verified is the enrolled agent's own refusal (one audit row);
    // anything else is anonymous: counted per client and aggregated.
    const authenticated = e instanceof AegisError && AUTHENTICATED_REFUSALS.has(e.code)
    await recordRefusal(
      c,
      { ...refusal(now, 'batch', agentId, e), batchId, cfCountry: country, verifyMs },
      !authenticated,
    )
    throw e
  }
})
