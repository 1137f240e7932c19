/**
 * AgentLedger: one SQLite-backed Durable Object per agent (named by agentId). It owns everything
 * that must be decided atomically for that agent: the agent record (status, AK, baseline), spent
 * nonces and used enrollment challenges (both stateless tokens, remembered only once used and
 * only until they expire), and replay state (last seq, TPM clock, last location fix). Each RPC
 * method either fully applies or changes nothing: checks run first, writes happen in one
 * synchronous transaction at the end, so nothing rejected leaves state. The worker only reaches
 * this object for agents D1 knows as enrolled (or at a verified activation), so an unknown agentId
 * never creates one (agentStatus in worker/store/agents.ts).
 */
import { DurableObject } from 'cloudflare:workers'
import { AegisError } from '../../attest/errors.ts'
import { fromB64url } from '../../attest/bytes/encoding.ts'
import { checkTravel } from '../../attest/geofence/check-travel.ts'
import { upsertAgent } from '../store/agents.ts'
import { signReceipt } from '../tokens/sign-receipt.ts'
import type { Jurisdiction } from '../residency/jurisdiction.ts'
import {
  clearRows,
  exportRows,
  forgetMoveOrigin,
  importRows,
  moveOrigin,
  refuseIfMoving,
  type LedgerRows,
  type MovingRecord,
} from '../residency/ledger-transfer.ts'
import { ensureLedgerSchema } from './ledger-schema.ts'
import { captureAsync, type RpcResult } from './rpc-result.ts'
import { checkNonce, issueNonce, nonceOrder, orderIssuedAt } from './stateless-nonce.ts'
import type {
  AcceptedBatch,
  AdmitRequest,
  AdmitResult,
  AgentRecord,
  HexPcrs,
  OpenedChallenge,
  ReplayState,
} from './types.ts'

/** Accepted batches remembered for idempotent retries: the last ACCEPTED_MEMORY seqs. */
const ACCEPTED_MEMORY = 10_000
/**
 * Expired spent nonces and accepted batches older than ACCEPTED_MEMORY seqs are pruned at most
 * this often per instance. `accepted` is keyed by seq, so its prune reads only the rows it deletes
 * (a hibernated ledger starts with no memory of its last prune: at one batch a minute it prunes on
 * every admission, which must stay cheap). Keeping rows a little longer changes no decision: an
 * expired nonce is refused by its tag, and a remembered batch only answers a retry with its
 * receipt.
 */
const PRUNE_EVERY_MS = 10_000
/** Outbox entries not confirmed stored after this long are announced to the queue again. */
export const OUTBOX_RENOTIFY_MS = 30_000

/**
 * The storage's SQL interface with every statement's rowsWritten and rowsRead added up (index
 * entries included, as Durable Object SQLite storage bills them). Statements without result rows
 * run to completion inside exec(); a query's rows are read as its cursor is consumed, so reads are
 * counted again after toArray() and one() (the ways this class consumes cursors).
 */
function countRows(sql: SqlStorage, add: (written: number, read: number) => void): SqlStorage {
  return new Proxy(sql, {
    get(target, prop) {
      if (prop === 'exec') {
        return (query: string, ...bindings: unknown[]) => {
          const cursor = target.exec(query, ...bindings)
          let read = cursor.rowsRead
          add(cursor.rowsWritten, read)
          const settle = <T>(out: T): T => {
            add(0, cursor.rowsRead - read)
            read = cursor.rowsRead
            return out
          }
          return new Proxy(cursor, {
            get(c, k) {
              if (k === 'toArray') return () => settle(c.toArray())
              if (k === 'one') return () => settle(c.one())
              const v = Reflect.get(c, k, c) as unknown
              return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(c) : v
            },
          })
        }
      }
      const v = Reflect.get(target, prop, target) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  })
}

export class AgentLedger extends DurableObject<Env> {
  private readonly sql: SqlStorage
  /*
   * In-memory copies of the `agent` and `replay` rows: an admission reads both twice (the checks,
   * then again inside the commit). The object is their only writer and runs one turn at a time,
   * so a copy is exact as long as every write drops it (putAgent, putReplay, the move's
   * import/clear) and only a committed state is put back (after transactionSync returned).
   * undefined: not read yet; lost with the instance. Callers must not mutate what they get.
   */
  private agentRow: AgentRecord | null | undefined
  private replayRow: ReplayState | undefined
  /** An alarm is known to be set; alarmEpoch counts deletions, so a stale await cannot set it. */
  private alarmKnown = false
  private alarmEpoch = 0
  private prunedAt = 0

  /** SQLite rows written and read through this instance (each cursor's): the billed figures. */
  private written = 0
  private read = 0

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql = countRows(ctx.storage.sql, (w, r) => {
      this.written += w
      this.read += r
    })
    void ctx.blockConcurrencyWhile(async () => {
      ctx.storage.transactionSync(() => ensureLedgerSchema(this.sql))
    })
  }

  // ---- agent record ---------------------------------------------------------------------------

  getAgent(): AgentRecord | null {
    return this.loadAgent()
  }

  private loadAgent(): AgentRecord | null {
    if (this.agentRow !== undefined) return this.agentRow
    const row = this.sql
      .exec<{ record: string }>('SELECT record FROM agent WHERE id = 1')
      .toArray()[0]
    this.agentRow = row ? (JSON.parse(row.record) as AgentRecord) : null
    return this.agentRow
  }

  private putAgent(r: AgentRecord): void {
    // Dropped, not replaced: the write may still be rolled back with its transaction.
    this.agentRow = undefined
    this.sql.exec('INSERT OR REPLACE INTO agent (id, record) VALUES (1, ?)', JSON.stringify(r))
  }

  /**
   * Drop what this instance remembers of its tables (the agent and replay rows, the alarm, the
   * last prune): after a move rewrote or emptied them, and for tests that write them directly.
   */
  forgetCopies(): void {
    this.forgetAlarm()
    this.prunedAt = 0
    this.agentRow = undefined
    this.replayRow = undefined
  }

  revoke(reason: string): Promise<RpcResult<AgentRecord>> {
    return captureAsync(() => this.doRevoke(reason))
  }

  private async doRevoke(reason: string): Promise<AgentRecord> {
    const cur = this.loadAgent()
    if (!cur) throw new AegisError('ERR_AGENT_UNKNOWN', 'no such agent')
    const next: AgentRecord = {
      ...cur,
      version: (cur.version ?? 0) + 1,
      status: 'revoked',
      revokedAt: Date.now(),
      revokedReason: reason,
    }
    await this.mirror(next)
    // Outstanding nonces and challenges die with the agent's standing: admission and activation
    // both refuse a revoked record.
    this.putAgent(next)
    return next
  }

  setZones(zones: string[]): Promise<RpcResult<AgentRecord>> {
    return captureAsync(() => this.doSetZones(zones))
  }

  private async doSetZones(zones: string[]): Promise<AgentRecord> {
    const cur = this.loadAgent()
    if (!cur) throw new AegisError('ERR_AGENT_UNKNOWN', 'no such agent')
    const next = { ...cur, version: (cur.version ?? 0) + 1, zones }
    await this.mirror(next)
    this.putAgent(next)
    return next
  }

  /** D1 mirror for operator queries. Written before the DO commits, so D1 never lags behind. */
  private async mirror(r: AgentRecord): Promise<void> {
    await upsertAgent(this.env.DB, r)
  }

  // ---- residency moves (worker/residency/move-agent.ts) ---------------------------------------

  /** Freeze (no more admissions) and hand over every row; null when there is no agent here. */
  freezeForMove(to: Jurisdiction | 'none'): LedgerRows | null {
    const cur = this.loadAgent()
    if (!cur) return null
    this.putAgent({ ...cur, movingTo: to } as MovingRecord)
    return exportRows(this.sql)
  }

  async importMoved(rows: LedgerRows, from: Jurisdiction | 'none'): Promise<void> {
    this.forgetCopies()
    this.ctx.storage.transactionSync(() => importRows(this.sql, rows, from))
    if (this.outboxDepth() > 0) await this.ensureOutboxAlarm()
  }

  /** Where this ledger was moved from while the old one is not yet emptied; null otherwise. */
  moveOrigin(): Jurisdiction | 'none' | null {
    return moveOrigin(this.sql)
  }

  moveCleared(): void {
    forgetMoveOrigin(this.sql)
  }

  async clearAfterMove(to: Jurisdiction | 'none'): Promise<void> {
    this.forgetCopies()
    this.ctx.storage.transactionSync(() => clearRows(this.sql, to))
    await this.ctx.storage.deleteAlarm()
  }

  // ---- enrollment -----------------------------------------------------------------------------

  /**
   * Commit the agent from a sealed challenge the worker opened and whose secret and activation
   * quote it verified (worker/enroll/activate-enrollment.ts). The challenge is single use: it is
   * remembered until it expires. The agent record (with the PCR baseline from the activation
   * quote) replaces any previous one; replay state for sequence numbers restarts, TPM clock state
   * is kept (it belongs to the TPM, not the AK).
   */
  activate(
    challenge: OpenedChallenge,
    pcrBaseline: HexPcrs,
    binding: string,
  ): Promise<RpcResult<AgentRecord>> {
    return captureAsync(() => this.doActivate(challenge, pcrBaseline, binding))
  }

  private async doActivate(
    p: OpenedChallenge,
    pcrBaseline: HexPcrs,
    binding: string,
  ): Promise<AgentRecord> {
    const now = Date.now()
    if (p.expiresAt <= now)
      throw new AegisError('ERR_ENROLL_EXPIRED', 'enrollment challenge expired')
    const cur = this.loadAgent()
    if (cur?.status === 'revoked') throw new AegisError('ERR_AGENT_REVOKED', 'agent is revoked')
    this.sql.exec('DELETE FROM used_challenges WHERE expires_at <= ?', now)
    const used = this.sql
      .exec('SELECT 1 FROM used_challenges WHERE enrollment_id = ?', p.enrollmentId)
      .toArray()
    if (used.length) throw new AegisError('ERR_ENROLL_USED', 'enrollment challenge already used')
    // Claim the challenge before any await: the input gate opens during the D1 write below.
    this.sql.exec(
      'INSERT INTO used_challenges (enrollment_id, expires_at) VALUES (?, ?)',
      p.enrollmentId,
      p.expiresAt,
    )
    const record: AgentRecord = {
      ...p.record,
      version: (cur?.version ?? 0) + 1,
      status: 'active',
      zones: cur?.zones ?? [],
      pcrBaseline,
      binding,
      enrolledAt: now,
      revokedAt: null,
      revokedReason: null,
    }
    try {
      await this.mirror(record)
    } catch (e) {
      this.sql.exec('DELETE FROM used_challenges WHERE enrollment_id = ?', p.enrollmentId)
      throw e
    }
    this.ctx.storage.transactionSync(() => {
      this.putAgent(record)
      const rs = this.replay()
      this.putReplay({ ...rs, lastSeq: null })
    })
    return record
  }

  // ---- nonces and batch admission -------------------------------------------------------------

  private activeAgent(): AgentRecord {
    const a = this.loadAgent()
    refuseIfMoving(this.sql, a)
    if (!a) throw new AegisError('ERR_AGENT_UNKNOWN', 'agent is not enrolled')
    if (a.status !== 'active') throw new AegisError('ERR_AGENT_REVOKED', 'agent is revoked')
    return a
  }

  /**
   * Drop accepted batches ACCEPTED_MEMORY seqs behind `seq`, at most every PRUNE_EVERY_MS: a range
   * of `accepted`'s key, so only the deleted rows are read.
   */
  private pruneDue(now: number, seq: number): void {
    if (now - this.prunedAt < PRUNE_EVERY_MS) return
    this.prunedAt = now
    this.sql.exec('DELETE FROM accepted WHERE seq <= ?', seq - ACCEPTED_MEMORY)
  }

  private replay(): ReplayState {
    if (this.replayRow !== undefined) return this.replayRow
    const row = this.sql
      .exec<{ state: string }>('SELECT state FROM replay WHERE id = 1')
      .toArray()[0]
    this.replayRow = row
      ? (JSON.parse(row.state) as ReplayState)
      : {
          lastSeq: null,
          resetCount: null,
          restartCount: null,
          clock: null,
          lastFix: null,
          nonce: null,
        }
    return this.replayRow
  }

  private putReplay(s: ReplayState): void {
    this.replayRow = undefined
    this.sql.exec('INSERT OR REPLACE INTO replay (id, state) VALUES (1, ?)', JSON.stringify(s))
  }

  /** Rows this instance has written so far (tests and docs/scale.md: rows per admission). */
  rowsWritten(): number {
    return this.written
  }

  /** Rows this instance has read so far (tests and docs/scale.md: what an admission reads). */
  rowsRead(): number {
    return this.read
  }

  getReplayState(): ReplayState {
    return this.replay()
  }

  /**
   * The one stateful step of batch ingest, atomic per agent: agent active with this AK, nonce
   * issued to this agent, unexpired and issued after the last one spent, TPM clock monotonic
   * (resetCount and restartCount never decrease; within one boot the clock rises), seq strictly
   * increasing, and plausible travel since the last fix. Any failure throws and changes nothing.
   * Success consumes the nonce, advances the replay state and issues the next nonce.
   */
  admitBatch(req: AdmitRequest): Promise<RpcResult<AdmitResult>> {
    return captureAsync(() => this.doAdmitBatch(req))
  }

  /**
   * Checks read state only. The receipt is signed between the checks and the commit (an await,
   * during which another request for this agent may run), so the commit repeats the checks inside
   * its synchronous transaction: of two requests racing for one nonce exactly one commits.
   */
  private async doAdmitBatch(req: AdmitRequest): Promise<AdmitResult> {
    const first = this.admissionCheck(req)
    const { nonce } = first
    if (first.kind === 'duplicate') return this.answerDuplicate(req, first.dup, nonce)
    const findings = [...req.batch.findings, ...first.auditFindings]
    const verdict: AcceptedBatch['verdict'] = findings.length ? 'accept-audit' : 'accept'
    const receipt = await signReceipt(this.env, {
      batchId: req.batch.batchId,
      agentId: req.batch.agentId,
      verdict,
      zone: req.batch.zone,
      iat: Math.floor(req.batch.acceptedAt / 1000),
    })
    const b: AcceptedBatch = { ...req.batch, findings, verdict, receipt }
    // Spending the nonce is advancing the replay state's order key: no row of its own.
    const replay: ReplayState = {
      lastSeq: req.batch.seq,
      resetCount: req.clock.resetCount,
      restartCount: req.clock.restartCount,
      clock: req.clock.clock,
      lastFix: req.fix,
      nonce,
    }
    this.ctx.storage.transactionSync(() => {
      const again = this.admissionCheck(req, nonce)
      if (again.kind === 'duplicate')
        throw new AegisError('ERR_NONCE_REPLAYED', 'batch was admitted concurrently')
      this.putReplay(replay)
      // OR REPLACE: after a re-enrollment reset the seqs, a new batch may reuse an old one's seq.
      this.sql.exec(
        'INSERT OR REPLACE INTO accepted (seq, batch_id, receipt, accepted_at) VALUES (?, ?, ?, ?)',
        b.seq,
        b.batchId,
        b.receipt,
        b.acceptedAt,
      )
      this.pruneDue(b.acceptedAt, b.seq)
      this.sql.exec(
        'INSERT INTO outbox (batch_id, record, created_at, notified_at) VALUES (?, ?, ?, ?)',
        b.batchId,
        JSON.stringify(b),
        b.acceptedAt,
        b.acceptedAt,
      )
    })
    // Committed: the copy may be put back (putReplay dropped it inside the transaction).
    this.replayRow = replay
    const next = this.nextNonce(req, nonce)
    await this.ensureOutboxAlarm()
    return {
      // What the route answers with; the full record stays in the outbox (not sent back).
      accepted: {
        batchId: b.batchId,
        seq: b.seq,
        acceptedAt: b.acceptedAt,
        verdict,
        findings,
        zone: b.zone,
        receipt,
      },
      duplicateOf: null,
      nextNonce: next.nonce,
      nextNonceExpiresAt: next.expiresAt,
    }
  }

  /** The reply's next nonce, issued after the one just spent whatever this isolate's clock says. */
  private nextNonce(req: AdmitRequest, spent: string) {
    return issueNonce(
      this.env,
      req.batch.agentId,
      req.nonceTtlSeconds,
      Date.now(),
      orderIssuedAt(spent) + 1,
    )
  }

  /**
   * `checked`: the order key of a nonce whose tag an earlier pass already checked (it binds the
   * agent, the issue time and the lifetime, which no later turn changes), so the recheck inside
   * the commit neither decodes nor MACs it again; its order is compared again (another admission
   * may have spent a later nonce meanwhile). Returns the nonce's order key.
   */
  private admissionCheck(
    req: AdmitRequest,
    checked?: string,
  ):
    | { kind: 'new'; auditFindings: AcceptedBatch['findings']; nonce: string }
    | { kind: 'duplicate'; dup: { receipt: string; accepted_at: number }; nonce: string } {
    const agent = this.activeAgent()
    if ((agent.version ?? 0) !== req.recordVersion) {
      throw new AegisError('ERR_AGENT_STALE', 'the agent record changed since it was read')
    }
    if (agent.akName !== req.batch.akName) {
      throw new AegisError('ERR_QUOTE_SIGNER', 'quote was made by an AK that is no longer enrolled')
    }
    // Issued to this agent and unexpired (stateless tag), then issued after the last nonce spent:
    // nonces are spent in issue order, so the replay state's one key says whether this one was
    // spent (equal) or is older than one that was (smaller), and a replay is named as such.
    const nonce = checked ?? this.checkedNonceOrder(req)
    const rs = this.replay()
    const last = rs.nonce ?? null
    if (last !== null && nonce <= last) {
      throw new AegisError(
        'ERR_NONCE_REPLAYED',
        nonce === last ? 'nonce was already used' : 'nonce is older than the last one spent',
      )
    }
    // A payload accepted before (its response was lost): answered with the original receipt. The
    // payload holds its seq, so the same batch id means the same seq; another batch under an
    // accepted seq is refused by the seq check below.
    const r = this.sql
      .exec<{ batch_id: string; receipt: string; accepted_at: number }>(
        'SELECT batch_id, receipt, accepted_at FROM accepted WHERE seq = ?',
        req.batch.seq,
      )
      .toArray()[0]
    if (r && r.batch_id === req.batch.batchId) return { kind: 'duplicate', dup: r, nonce }

    checkClock(rs, req.clock)
    if (rs.lastSeq !== null && req.batch.seq <= rs.lastSeq) {
      throw new AegisError(
        'ERR_SEQ_REPLAYED',
        `seq ${req.batch.seq} is not greater than ${rs.lastSeq}`,
        {
          detail: { lastSeq: rs.lastSeq },
        },
      )
    }
    const auditFindings: AcceptedBatch['findings'] = []
    if (rs.lastFix) {
      try {
        checkTravel(rs.lastFix, req.fix, req.geo.maxSpeedMps)
      } catch (e) {
        if (req.geo.enforce) throw e
        auditFindings.push('ERR_GEO_IMPOSSIBLE_TRAVEL')
      }
    }
    return { kind: 'new', auditFindings, nonce }
  }

  /** The order key of the request's nonce, once its tag and lifetime are checked. */
  private checkedNonceOrder(req: AdmitRequest): string {
    const bytes = fromB64url(req.batch.nonce)
    checkNonce(this.env, req.batch.agentId, bytes)
    return nonceOrder(bytes)
  }

  /** The verified retry of an accepted payload spends its fresh nonce and stores nothing else. */
  private answerDuplicate(
    req: AdmitRequest,
    dup: { receipt: string; accepted_at: number },
    nonce: string,
  ): AdmitResult {
    const spent = { ...this.replay(), nonce }
    this.putReplay(spent)
    this.replayRow = spent
    const next = this.nextNonce(req, nonce)
    return {
      accepted: null,
      duplicateOf: {
        batchId: req.batch.batchId,
        receipt: dup.receipt,
        acceptedAt: dup.accepted_at,
      },
      nextNonce: next.nonce,
      nextNonceExpiresAt: next.expiresAt,
    }
  }

  // ---- outbox: accepted batches until the sync consumer has stored them ------------------------

  /**
   * Storage is asked only while no alarm is known to be set. A deletion (forgetAlarm, issued in
   * the same turn as deleteAlarm) bumps alarmEpoch, so a check that awaited across it does not
   * mark the deleted alarm as set; storage operations apply in order, so such a check saw null.
   */
  private async ensureOutboxAlarm(): Promise<void> {
    if (this.alarmKnown) return
    const epoch = this.alarmEpoch
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + OUTBOX_RENOTIFY_MS)
    }
    if (epoch === this.alarmEpoch) this.alarmKnown = true
  }

  private forgetAlarm(): void {
    this.alarmKnown = false
    this.alarmEpoch++
  }

  /** The consumer reads the full record from here (queue messages only carry ids). */
  getOutbox(batchIds: string[]): AcceptedBatch[] {
    return JSON.parse(this.outboxJson(batchIds).json) as AcceptedBatch[]
  }

  /** The outbox entries among `batchIds`, oldest first, as the text of one JSON array. */
  private outboxJson(batchIds: string[]): { json: string; n: number } {
    const rows = this.sql
      .exec<{ record: string }>(
        'SELECT record FROM outbox WHERE batch_id IN (SELECT value FROM json_each(?)) ORDER BY created_at',
        JSON.stringify(batchIds),
      )
      .toArray()
    return { json: `[${rows.map((r) => r.record).join(',')}]`, n: rows.length }
  }

  /**
   * The outbox entries among `batchIds` and the agent record their bundles need, in one RPC: the
   * consumer's only read per agent and queue batch (hops per queue batch, not per batch). The
   * entries travel as the JSON text they are stored as (one array, parsed once by the consumer)
   * rather than as objects the RPC would serialize field by field.
   */
  readOutbox(batchIds: string[]): { agent: AgentRecord | null; records: string } {
    refuseIfMoving(this.sql, this.loadAgent())
    const { json, n } = this.outboxJson(batchIds)
    return { agent: n > 0 ? this.loadAgent() : null, records: json }
  }

  /**
   * Stored in R2 and D1: drop from the outbox. Idempotent. With nothing left to re-announce the
   * alarm goes too, so a batch stored in time costs no alarm invocation (a billed DO request).
   * The depth check and the deletion are issued in one turn, and storage operations apply in
   * order, so an admission that adds an entry meanwhile either sees no alarm and sets one, or
   * made this check see its entry.
   */
  async ackOutbox(batchIds: string[]): Promise<void> {
    this.sql.exec(
      'DELETE FROM outbox WHERE batch_id IN (SELECT value FROM json_each(?))',
      JSON.stringify(batchIds),
    )
    if (this.outboxDepth() === 0) {
      this.forgetAlarm()
      await this.ctx.storage.deleteAlarm()
    }
  }

  outboxDepth(): number {
    return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM outbox').one().n
  }

  /**
   * Re-announce outbox entries whose notification may have been lost (the worker sends it with
   * waitUntil after the 202). Runs while anything is outstanding; the consumer is idempotent.
   */
  override async alarm(): Promise<void> {
    // The alarm that fired is spent; the next admission asks storage again.
    this.forgetAlarm()
    const now = Date.now()
    const stale = this.sql
      .exec<{ batch_id: string }>(
        'SELECT batch_id FROM outbox WHERE notified_at <= ? ORDER BY created_at LIMIT 100',
        now - OUTBOX_RENOTIFY_MS,
      )
      .toArray()
      .map((r) => r.batch_id)
    const agent = this.loadAgent()
    if (stale.length && agent) {
      await this.env.SYNC_QUEUE.sendBatch(
        stale.map((batchId) => ({ body: { type: 'batch', agentId: agent.agentId, batchId } })),
      )
      for (const id of stale)
        this.sql.exec('UPDATE outbox SET notified_at = ? WHERE batch_id = ?', now, id)
    }
    if (this.outboxDepth() > 0) await this.ctx.storage.setAlarm(Date.now() + OUTBOX_RENOTIFY_MS)
  }
}

function checkClock(rs: ReplayState, c: AdmitRequest['clock']): void {
  if (rs.resetCount === null || rs.restartCount === null || rs.clock === null) return
  const rollback = (what: string): never => {
    throw new AegisError('ERR_CLOCK_ROLLBACK', `TPM ${what} went backwards`, {
      detail: {
        last: { resetCount: rs.resetCount, restartCount: rs.restartCount, clock: rs.clock },
        got: c,
      },
    })
  }
  if (c.resetCount < rs.resetCount) rollback('resetCount')
  if (c.resetCount > rs.resetCount) return
  if (c.restartCount < rs.restartCount) rollback('restartCount')
  if (c.restartCount > rs.restartCount) return
  if (BigInt(c.clock) <= BigInt(rs.clock)) rollback('clock')
}
