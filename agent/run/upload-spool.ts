/**
 * Drain the spool to the collector, oldest first, one batch per round trip (DESIGN.md "Batch
 * ingest"): claim the head, quote its exact bytes with the current nonce, POST, settle. Each
 * accepted reply carries the next nonce, so a steady stream needs no nonce requests; a nonce is
 * asked for only when none is held or it is about to expire (by the collector's TTL measured
 * against its own Date header, so clock skew does not matter).
 * Outcomes per attempt (classify-failure.ts): accepted (202, or 200 duplicate: the collector had
 * it already, e.g. after a lost response or a kill mid-send) -> settled; permanently rejected ->
 * settled with its code; otherwise the entry stays at the head and is retried: at once with a new
 * nonce for nonce errors (3 times, then with backoff), after an exponential backoff with jitter
 * for transient failures, at the longest backoff for agent-level refusals.
 * Any failed POST forgets the nonce: whether the collector spent it is unknown.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { toHex } from '../../attest/bytes/encoding.ts'
import { AegisError } from '../../attest/errors.ts'
import { quoteBatch } from '../batch/make-batch.ts'
import { forgetBootAccepted, noteBootAccepted, withEventLog } from '../eventlog/boot-log.ts'
import { advanceSeq } from '../batch/sequence.ts'
import type { CollectorClient } from '../net/collector-client.ts'
import type { Spool, SpoolEntry } from '../spool/spool.ts'
import type { AgentState } from '../state/agent-state.ts'
import type { Tpm } from '../tpm/tpm.ts'
import type { StatusWriter } from './agent-status.ts'
import type { Backoff } from './backoff.ts'
import { classifyFailure, type Action } from './classify-failure.ts'
import { errorFields, type Logger } from './logger.ts'
import { sleep, type Waker } from './sleep.ts'
import type { BatchReply } from '../../attest/wire/types.ts'

/** Do not start a quote with a nonce that expires sooner than this. */
const NONCE_MARGIN_MS = 10_000
/** When the collector sends no Date header, trust a nonce this long after receiving it. */
const FALLBACK_NONCE_TTL_MS = 60_000
const MAX_IMMEDIATE_RENONCE = 3

export type Attempt =
  | { kind: 'empty' }
  | { kind: 'accepted'; seq: number; batchId: string; duplicate: boolean }
  | { kind: 'rejected'; seq: number; code: string }
  | { kind: 'failed'; seq: number; action: Exclude<Action, 'drop'>; error: unknown }

export interface UploaderDeps {
  client: CollectorClient
  tpm: Tpm
  state: AgentState
  stateDir: string
  spool: Spool
  status: StatusWriter
  backoff: Backoff
  log: Logger
  /** Called before the next quote after a TPM transport failure (the TPM may have restarted). */
  prepareTpm: () => Promise<void>
  now?: () => number
}

export class Uploader {
  private nonce: { value: string; validUntil: number } | undefined
  private tpmSuspect = false
  private readonly now: () => number

  constructor(private readonly d: UploaderDeps) {
    this.now = d.now ?? Date.now
  }

  /**
   * Send until `stop` aborts. `hard` aborts the request in flight (the end of a graceful stop's
   * grace period); the entry then simply stays in the spool.
   */
  async run(o: { stop: AbortSignal; hard: AbortSignal; wake: Waker }): Promise<void> {
    let renonces = 0
    while (!o.stop.aborted) {
      let r: Attempt
      try {
        r = await this.attempt(o.hard)
      } catch (e) {
        // Spool bookkeeping failed (disk): nothing was lost, the entry is still at the head.
        this.d.log.error('spool error', { error: e })
        await this.d.status.update({ lastError: this.errorRecord(e) })
        await sleep(this.d.backoff.next(), o.stop)
        continue
      }
      if (r.kind === 'empty') {
        await o.wake.wait(o.stop)
        continue
      }
      if (r.kind === 'accepted' || r.kind === 'rejected') {
        this.d.backoff.reset()
        renonces = 0
        continue
      }
      if (r.action === 'renonce' && ++renonces <= MAX_IMMEDIATE_RENONCE) {
        this.d.log.info('nonce refused, retrying with a new one', {
          seq: r.seq,
          error: errorFields(r.error),
        })
        continue
      }
      renonces = 0
      const delay = r.action === 'hold' ? this.d.backoff.ceiling() : this.d.backoff.next()
      const level = r.action === 'hold' ? 'error' : 'warn'
      this.d.log[level]('send failed, will retry', {
        seq: r.seq,
        action: r.action,
        retryInMs: delay,
        attempt: this.d.backoff.attempts,
        spoolDepth: this.d.spool.depth,
        error: errorFields(r.error),
      })
      await sleep(delay, o.stop)
    }
  }

  /** One attempt on the spool head. */
  async attempt(hard?: AbortSignal): Promise<Attempt> {
    const entry = await this.d.spool.claimHead()
    if (!entry) return { kind: 'empty' }
    let reply: { status: number; body: BatchReply }
    try {
      reply = await this.send(entry, hard)
    } catch (e) {
      return this.failed(entry, e)
    }
    const duplicate = reply.status === 200 && reply.body.duplicate === true
    await this.d.spool.settle(entry.seq, { kind: 'accepted' })
    const at = new Date(this.now()).toISOString()
    await this.d.status.update({ lastSuccess: at })
    this.d.log.info(duplicate ? 'batch accepted earlier (duplicate)' : 'batch accepted', {
      seq: entry.seq,
      batchId: reply.body.batchId,
      duplicate,
      spoolDepth: this.d.spool.depth,
    })
    return { kind: 'accepted', seq: entry.seq, batchId: reply.body.batchId, duplicate }
  }

  private async send(
    entry: SpoolEntry,
    hard?: AbortSignal,
  ): Promise<{ status: number; body: BatchReply }> {
    const { client, state } = this.d
    if (this.tpmSuspect) {
      await this.d.prepareTpm()
      this.tpmSuspect = false
    }
    const nonce = await this.currentNonce(hard)
    let req
    try {
      const quoted = await quoteBatch(this.d.tpm, state, entry.bytes, nonce)
      req = await withEventLog(this.d.stateDir, state.eventLog, quoted)
    } catch (e) {
      if (e instanceof AegisError && e.code === 'ERR_TPM_TRANSPORT') this.tpmSuspect = true
      throw e
    }
    this.nonce = undefined
    const sentAt = this.now()
    const res = await client
      .request<BatchReply>('POST', `/v1/agents/${state.agentId}/batches`, req, {
        ...(hard ? { signal: hard } : {}),
      })
      .catch(async (e: unknown) => {
        // The collector does not know this boot's log: send it with the retry.
        if (e instanceof AegisError && e.code === 'ERR_EVENTLOG_REQUIRED') {
          await forgetBootAccepted(this.d.stateDir)
        }
        throw e
      })
    if (state.eventLog) await noteBootAccepted(this.d.stateDir, req.quote.pcrs)
    const expected = toHex(sha256(entry.bytes))
    if (res.body?.batchId !== expected) {
      throw new AegisError(
        'ERR_COLLECTOR',
        'the collector acknowledged another batch than the one sent',
        {
          detail: {
            transient: true,
            expected,
            got: res.body?.batchId ?? null,
            httpStatus: res.status,
          },
        },
      )
    }
    if (typeof res.body.nextNonce === 'string') {
      this.nonce = {
        value: res.body.nextNonce,
        validUntil: validUntil(res.body.nextNonceExpiresAt, res.headers, sentAt),
      }
    }
    return res
  }

  private async currentNonce(hard?: AbortSignal): Promise<string> {
    if (this.nonce && this.nonce.validUntil - this.now() > NONCE_MARGIN_MS) return this.nonce.value
    const askedAt = this.now()
    const { body, headers } = await this.d.client.request<{ nonce: string; expiresAt: string }>(
      'GET',
      `/v1/agents/${this.d.state.agentId}/nonce`,
      undefined,
      hard ? { signal: hard } : {},
    )
    this.nonce = { value: body.nonce, validUntil: validUntil(body.expiresAt, headers, askedAt) }
    return body.nonce
  }

  private async failed(entry: SpoolEntry, e: unknown): Promise<Attempt> {
    this.nonce = undefined
    const c = classifyFailure(e)
    if (c.action !== 'drop') {
      this.d.spool.release()
      await this.d.status.update({ lastError: this.errorRecord(e, entry.seq) })
      return { kind: 'failed', seq: entry.seq, action: c.action, error: e }
    }
    await this.d.spool.settle(entry.seq, { kind: 'rejected', code: c.code })
    const rec = this.errorRecord(e, entry.seq)
    await this.d.status.update({ lastError: rec, lastRejection: rec })
    this.d.log.warn('batch rejected by the collector, dropped', {
      seq: entry.seq,
      httpStatus: c.httpStatus,
      spoolDepth: this.d.spool.depth,
      error: errorFields(e),
    })
    if (
      c.code === 'ERR_SEQ_REPLAYED' &&
      e instanceof AegisError &&
      typeof e.detail?.lastSeq === 'number'
    ) {
      // The collector is ahead of our counter (a restored state directory): move past it so the
      // batches still to come are not refused as well.
      const next = await advanceSeq(this.d.stateDir, e.detail.lastSeq)
      this.d.log.warn('seq counter advanced past the collector', {
        lastSeq: e.detail.lastSeq,
        seq: next,
      })
    }
    return { kind: 'rejected', seq: entry.seq, code: c.code }
  }

  private errorRecord(e: unknown, seq?: number) {
    const f = errorFields(e)
    return {
      at: new Date(this.now()).toISOString(),
      code: String(f.code),
      message: String(f.message),
      ...(seq === undefined ? {} : { seq }),
    }
  }
}

/** Local deadline for a nonce: its TTL as the collector counts it, from when we asked. */
function validUntil(expiresAt: string | undefined, headers: Headers, askedAt: number): number {
  const exp = expiresAt ? Date.parse(expiresAt) : NaN
  const serverNow = Date.parse(headers.get('date') ?? '')
  if (!Number.isFinite(exp)) return askedAt
  // The Date header has whole seconds: count from its start, which errs on the early side.
  const ttl = Number.isFinite(serverNow) ? exp - serverNow - 1000 : FALLBACK_NONCE_TTL_MS
  return askedAt + Math.max(0, ttl)
}
