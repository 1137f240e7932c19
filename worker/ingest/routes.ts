/**
 * Batch ingest, the hot path (DESIGN.md "Batch ingest"). Agents authenticate by TPM evidence
 * alone. GET .../nonce issues a fresh stateless nonce (nothing stored); POST .../batches verifies
 * a quoted batch statelessly (verify-batch.ts), then makes exactly one RPC to the agent's ledger,
 * which admits or rejects atomically and keeps the accepted batch in its outbox until the sync
 * consumer stored it. Refusals are recorded after the handler by the auditOutcome middleware
 * (audit/audit-outcome.ts): anonymous ones counted per client, an enrolled agent's own one row.
 * The response carries `Server-Timing` with the verification time (local workerd measures
 * elapsed time at 1 ms resolution; on Cloudflare timers only advance on I/O, so it is coarse there).
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { AegisError, type ErrorCode } from '../../attest/errors.ts'
import type { AppEnv } from '../app-env.ts'
import { auditOutcome, noteAudit } from '../audit/audit-outcome.ts'
import { ecdsaBackend } from '../crypto/ecdsa-backend.ts'
import { loadConfig } from '../config/settings-store.ts'
import { cfCountry } from '../http/cf-country.ts'
import { readJson } from '../http/json-body.ts'
import { agentLedger } from '../ledger/ledger-stub.ts'
import { agentStatus } from '../store/agents.ts'
import { unwrap } from '../ledger/rpc-result.ts'
import { issueNonce } from '../ledger/stateless-nonce.ts'
import { chargeAgent, refuseBlockedClient } from '../ratelimit/rate-limit.ts'
import { forgetAgent, loadAgent, type CachedAgent } from './agent-cache.ts'
import { judgeBootIfGoverned } from '../bootlog/judge-batch-boot.ts'
import { rememberBoot } from '../bootlog/judge-boot.ts'
import type { AdmitRequest } from '../ledger/types.ts'
import { POLICY_CODES, verifyBatch, wireQuote, type VerifiedBatch } from './verify-batch.ts'
import { AGENT_ID } from '../http/params.ts'
import { announceBatch } from '../sync/announce.ts'

/** Refusals after which the cached agent record is dropped: it no longer matches the ledger's. */
const FORGET_ON: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ERR_AGENT_REVOKED',
  'ERR_QUOTE_SIGNER',
])

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

// A refusal that says the agent record changed (revoked, another AK) drops the cached copy.
const forgetOnRefusal: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next()
  const e = c.error
  const agentId = c.get('audit').agentId
  if (agentId && e instanceof AegisError && FORGET_ON.has(e.code)) forgetAgent(agentId)
}

// A client blocked for too many refusals is answered 429 before any work (ratelimit/rate-limit.ts).
ingestRoutes.use('/v1/agents/:agentId/nonce', refuseBlockedClient, auditOutcome('nonce'))
// Only a batch whose quote verified is the enrolled agent's own refusal (one audit row); anything
// else is anonymous: counted per client and aggregated.
ingestRoutes.use(
  '/v1/agents/:agentId/batches',
  refuseBlockedClient,
  auditOutcome('batch', {
    anonymous: (e) => !(e instanceof AegisError && AUTHENTICATED_REFUSALS.has(e.code)),
  }),
  forgetOnRefusal,
)

// Stateless (ledger/stateless-nonce.ts): issuing writes nothing, so asking for nonces cannot evict
// the agent's own. Unknown agents cost one D1 read, never a ledger.
ingestRoutes.get('/v1/agents/:agentId/nonce', async (c) => {
  const agentId = agentIdParam(c)
  noteAudit(c, { agentId })
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
})

type Loaded = Awaited<ReturnType<typeof policyOf>>

interface BatchInput {
  raw: unknown
  agentId: string
  loaded: Loaded
  country: string | null
  now: number
}

/**
 * Verify the batch against one copy of the agent record, judge its boot log, then make the one
 * ledger RPC. The audit notes name the batch as soon as it is known, even if a later check fails.
 */
async function verifyAndAdmit(c: Context<AppEnv>, input: BatchInput, agent: CachedAgent) {
  const { raw, agentId, country, now } = input
  const { config, zones, policy } = input.loaded
  const t0 = performance.now()
  const v = verifyBatch({
    raw,
    agentId,
    agent,
    policy,
    zones,
    defaultZoneIds: config.defaultZoneIds,
    cfCountry: country,
    now,
    onBatchId: (batchId) => noteAudit(c, { batchId }),
    ecdsa: ecdsaBackend(c.env),
  })
  // Measured boot: only when the policy governs PCRs by the event log (D1 read on a change).
  const boot = await judgeBootIfGoverned({
    db: c.env.DB,
    agentId,
    policy,
    policyVersion: config.policyVersion,
    quoted: v.quote.pcrs ?? {},
    eventLog: v.wire.eventLog,
    now,
    findings: v.findings,
  })
  const verifyMs = performance.now() - t0
  noteAudit(c, { verifyMs, batchId: v.batchId })
  const t1 = performance.now()
  const r = await agentLedger(c.env, agentId).admitBatch(admitRequest(v, agent, input, verifyMs))
  return { v, r, boot, verifyMs, ledgerMs: performance.now() - t1 }
}

/** The ledger's half of admission: the batch as it will be kept, and what the ledger checks. */
function admitRequest(
  v: VerifiedBatch,
  agent: CachedAgent,
  { agentId, loaded: { config, policy }, country, now }: BatchInput,
  verifyMs: number,
): AdmitRequest {
  const ci = v.quote.clockInfo
  return {
    recordVersion: agent.record.version ?? 0,
    clock: { clock: ci.clock.toString(), resetCount: ci.resetCount, restartCount: ci.restartCount },
    fix: v.payload.location,
    geo: { maxSpeedMps: policy.geo.maxSpeedMps, enforce: policy.mode === 'enforce' },
    nonceTtlSeconds: policy.nonceTtlSeconds,
    batch: {
      batchId: v.batchId,
      agentId,
      seq: v.payload.seq,
      acceptedAt: now,
      findings: v.findings,
      zone: v.zone,
      cfCountry: country,
      verifyMs,
      payload: v.text.payload,
      nonce: v.text.nonce,
      quote: wireQuote(v),
      akPublic: agent.record.akPublic,
      akName: agent.record.akName,
      ekCertSha256: agent.record.ekCertSha256,
      policyVersion: config.policyVersion,
    },
  }
}

/**
 * A rejection decided on a cached record may be the cache's fault (zones widened, policy baseline
 * or AK changed by re-enrollment): reload the record and decide again, once. The ledger also
 * refuses a stale record version on acceptance (ERR_AGENT_STALE).
 */
async function admitWithFreshRecord(c: Context<AppEnv>, input: BatchInput) {
  const id = input.agentId
  const first = await loadAgent(c.env, id)
  let out: Awaited<ReturnType<typeof verifyAndAdmit>>
  try {
    out = await verifyAndAdmit(c, input, first)
  } catch (e) {
    if (!(first.cached && e instanceof AegisError && RECHECK_ON_FRESH_RECORD.has(e.code))) throw e
    forgetAgent(id)
    out = await verifyAndAdmit(c, input, await loadAgent(c.env, id))
  }
  if (!out.r.ok && out.r.error.code === 'ERR_AGENT_STALE') {
    forgetAgent(id)
    out = await verifyAndAdmit(c, input, await loadAgent(c.env, id))
  }
  return out
}

ingestRoutes.post('/v1/agents/:agentId/batches', async (c) => {
  const started = performance.now()
  const now = Date.now()
  const country = cfCountry(c.req.raw)
  const agentId = agentIdParam(c)
  noteAudit(c, { agentId })
  const loaded = await policyOf(c.env)
  const raw = await readJson(c.req.raw, loaded.policy.maxBodyBytes)
  const out = await admitWithFreshRecord(c, { raw, agentId, loaded, country, now })
  const { v, verifyMs, ledgerMs } = out
  const res = unwrap(out.r)
  c.header(
    'server-timing',
    `verify;dur=${verifyMs.toFixed(3)}, ledger;dur=${ledgerMs.toFixed(3)}, total;dur=${(performance.now() - started).toFixed(3)}`,
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
  if (out.boot) await rememberBoot(c.env.DB, agentId, out.boot, now)
  // The ledger's outbox already holds the batch; this notification is the fast path (coalesced
  // with the isolate's other acceptances), its alarm re-announces anything not confirmed stored.
  announceBatch(c.env, c.executionCtx, { agentId, batchId: a.batchId })
  const { batchId, receipt, verdict, findings, zone } = a
  return c.json({ batchId, receipt, verdict, findings, zone, ...nextNonce }, 202)
})
