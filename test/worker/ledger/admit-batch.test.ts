/**
 * AgentLedger.admitBatch inside workerd, over the real DO RPC: acceptance (receipt, next nonce,
 * replay state, outbox, alarm), the idempotent retry of an accepted payload, a spent nonce, a nonce
 * issued before the last one spent (also across a re-enrollment and a move), a seq
 * that does not rise, and the TPM clock check (resetCount, restartCount, clock going backwards).
 * Every rejection must leave the ledger exactly as it was.
 */
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { fromB64url } from '../../../attest/bytes/encoding.ts'
import { OUTBOX_RENOTIFY_MS } from '../../../worker/ledger/agent-ledger.ts'
import { ledgerIn } from '../../../worker/residency/routed-ledger.ts'
import { checkNonce, issueNonce, nonceOrder } from '../../../worker/ledger/stateless-nonce.ts'
import type { AdmitResult } from '../../../worker/ledger/types.ts'
import type { RpcResult } from '../../../worker/ledger/rpc-result.ts'
import {
  accepted,
  admitRequest,
  enrolledAgent,
  freshNonce,
  ledgerState,
  quotedClock,
  type LedgerAgent,
  type TpmClock,
} from './ledger-fixture.ts'

let a: LedgerAgent

beforeEach(async () => {
  a = await enrolledAgent()
})

describe('AgentLedger.admitBatch', () => {
  it('accepts a batch: signed receipt, a fresh nonce, replay state, outbox entry and alarm', async () => {
    const req = admitRequest(a, { seq: 1 })
    const before = Date.now()
    const r = accepted(await a.ledger.admitBatch(req))

    expect(r.duplicateOf).toBeNull()
    expect(r.accepted).toMatchObject({ batchId: req.batch.batchId, seq: 1, verdict: 'accept' })
    expect(r.accepted!.receipt.split('.')).toHaveLength(3)
    expect(r.nextNonce).not.toBe(req.batch.nonce)
    expect(checkNonce(env, a.agentId, fromB64url(r.nextNonce))).toBe(r.nextNonceExpiresAt)

    // Spending the nonce is the replay state's order key: no row of its own.
    expect(await a.ledger.getReplayState()).toEqual({
      lastSeq: 1,
      ...req.clock,
      lastFix: req.fix,
      nonce: nonceOrder(fromB64url(req.batch.nonce)),
    })
    // The next nonce comes after the one spent, so the agent can spend it.
    expect(nonceOrder(fromB64url(r.nextNonce)) > nonceOrder(fromB64url(req.batch.nonce))).toBe(true)
    const s = await ledgerState(a)
    expect(s.accepted).toEqual([
      { batch_id: req.batch.batchId, seq: 1, receipt: r.accepted!.receipt },
    ])
    // The outbox keeps the whole record for the consumer; the answer carries only the decision.
    expect(await a.ledger.getOutbox([req.batch.batchId])).toEqual([
      { ...req.batch, verdict: 'accept', findings: [], receipt: r.accepted!.receipt },
    ])
    expect(Object.keys(r.accepted!).sort()).toEqual(
      ['acceptedAt', 'batchId', 'findings', 'receipt', 'seq', 'verdict', 'zone'].sort(),
    )
    expect(s.alarm).toBeGreaterThanOrEqual(before + OUTBOX_RENOTIFY_MS)
  })

  it('hands the consumer its outbox entries as one JSON array text, with the agent record', async () => {
    const r1 = accepted(await a.ledger.admitBatch(admitRequest(a, { seq: 1 })))
    const req2 = admitRequest(a, { seq: 2, nonce: r1.nextNonce })
    const r2 = accepted(await a.ledger.admitBatch(req2))
    const ids = [r2.accepted!.batchId, r1.accepted!.batchId, 'ff'.repeat(32)]
    const read = await a.ledger.readOutbox(ids)
    expect(typeof read.records).toBe('string')
    const records = JSON.parse(read.records) as { batchId: string; seq: number }[]
    // Ordered by acceptance time; both may share a millisecond here, so compare by seq.
    expect(records.map((b) => [b.batchId, b.seq]).sort((x, y) => +x[1]! - +y[1]!)).toEqual([
      [r1.accepted!.batchId, 1],
      [r2.accepted!.batchId, 2],
    ])
    expect(records).toEqual(await a.ledger.getOutbox(ids))
    expect(read.agent).toMatchObject({ agentId: a.agentId })
    // Nothing among the ids (stored and acknowledged already): no record either.
    await a.ledger.ackOutbox(ids)
    expect(await a.ledger.readOutbox(ids)).toEqual({ agent: null, records: '[]' })
  })

  it('answers the retry of an accepted payload with the original receipt and stores nothing', async () => {
    const req = admitRequest(a, { seq: 1 })
    const first = accepted(await a.ledger.admitBatch(req))
    const before = await ledgerState(a)
    // The same payload and quote sent again (its 202 was lost), under the nonce it was then given.
    const nonce = first.nextNonce
    const retry = { ...req, nonce, batch: { ...req.batch, nonce } }
    const r = accepted(await a.ledger.admitBatch(retry))

    expect(r.accepted).toBeNull()
    expect(r.duplicateOf).toEqual({
      batchId: first.accepted!.batchId,
      receipt: first.accepted!.receipt,
      acceptedAt: first.accepted!.acceptedAt,
    })
    // The retry's own nonce is spent (it cannot be used again); nothing else changes.
    const after = await ledgerState(a)
    const replay = (s: Record<string, unknown>) =>
      JSON.parse((s.replay as { state: string }[])[0]!.state) as Record<string, unknown>
    expect(replay(after)).toEqual({ ...replay(before), nonce: nonceOrder(fromB64url(nonce)) })
    expect({ ...after, replay: null }).toEqual({ ...before, replay: null })
    expect(await a.ledger.outboxDepth()).toBe(1)
    const again = await a.ledger.admitBatch({
      ...retry,
      batch: { ...retry.batch, nonce: r.nextNonce },
    })
    expect(accepted(again).duplicateOf?.receipt).toBe(first.accepted!.receipt)
    expect(await a.ledger.admitBatch(retry)).toMatchObject({
      ok: false,
      error: { code: 'ERR_NONCE_REPLAYED' },
    })
  })

  it('refuses a spent nonce and leaves no state', async () => {
    const first = admitRequest(a, { seq: 1 })
    accepted(await a.ledger.admitBatch(first))
    const before = await ledgerState(a)
    const r = await a.ledger.admitBatch(admitRequest(a, { seq: 2, nonce: first.batch.nonce }))
    expect(r).toMatchObject({ ok: false, error: { code: 'ERR_NONCE_REPLAYED' } })
    expect(await ledgerState(a)).toEqual(before)
  })

  it('refuses a nonce issued before the last one spent, and leaves no state', async () => {
    // Both unexpired and unspent; the later one is spent first.
    const older = freshNonce(a)
    const newer = freshNonce(a)
    accepted(await a.ledger.admitBatch(admitRequest(a, { seq: 1, nonce: newer })))
    const before = await ledgerState(a)
    const r = await a.ledger.admitBatch(admitRequest(a, { seq: 2, nonce: older }))
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'ERR_NONCE_REPLAYED', message: 'nonce is older than the last one spent' },
    })
    expect(await ledgerState(a)).toEqual(before)
    // A nonce issued afterwards is spent as usual.
    accepted(await a.ledger.admitBatch(admitRequest(a, { seq: 2 })))
  })

  it('issues the next nonce after the one spent, even when that one was issued ahead of its clock', async () => {
    // A nonce from an isolate whose clock ran 3 s ahead of this ledger's.
    const ahead = issueNonce(env, a.agentId, 60, Date.now() + 3_000).nonce
    const r = accepted(await a.ledger.admitBatch(admitRequest(a, { seq: 1, nonce: ahead })))
    expect(nonceOrder(fromB64url(r.nextNonce)) > nonceOrder(fromB64url(ahead))).toBe(true)
    accepted(await a.ledger.admitBatch(admitRequest(a, { seq: 2, nonce: r.nextNonce })))
  })

  it('keeps the nonce order across a re-enrollment', async () => {
    const older = freshNonce(a)
    accepted(await a.ledger.admitBatch(admitRequest(a, { seq: 1 })))
    const rs = await a.ledger.getReplayState()
    // Activation again (the same TPM re-enrolled): seqs start again, the spent order stays.
    const rec = (await a.ledger.getAgent())!
    const again = await a.ledger.activate(
      {
        enrollmentId: 'e'.repeat(32),
        secretSha256: '0'.repeat(64),
        expiresAt: Date.now() + 60_000,
        record: rec,
      },
      {},
      'x.y.z',
    )
    expect(again).toMatchObject({ ok: true, value: { version: 2 } })
    expect(await a.ledger.getReplayState()).toEqual({ ...rs, lastSeq: null })
    const req = { ...admitRequest(a, { seq: 1, nonce: older }), recordVersion: 2 }
    expect(await a.ledger.admitBatch(req)).toMatchObject({
      ok: false,
      error: { code: 'ERR_NONCE_REPLAYED' },
    })
    accepted(await a.ledger.admitBatch({ ...admitRequest(a, { seq: 1 }), recordVersion: 2 }))
  })

  it('moves the spent nonce order with the ledger to another jurisdiction', async () => {
    const older = freshNonce(a)
    const r1 = accepted(await a.ledger.admitBatch(admitRequest(a, { seq: 1 })))
    const rows = await ledgerIn(env, a.agentId, null).freezeForMove('eu')
    const eu = ledgerIn(env, a.agentId, 'eu')
    await eu.importMoved(rows!, 'none')
    expect(await eu.getReplayState()).toEqual(await a.ledger.getReplayState())
    expect(await eu.admitBatch(admitRequest(a, { seq: 2, nonce: older }))).toMatchObject({
      ok: false,
      error: { code: 'ERR_NONCE_REPLAYED' },
    })
    accepted(await eu.admitBatch(admitRequest(a, { seq: 2, nonce: r1.nextNonce })))
  })

  it('refuses a nonce issued to another agent', async () => {
    const other = await enrolledAgent()
    const r = await a.ledger.admitBatch(admitRequest(a, { seq: 1, nonce: freshNonce(other) }))
    expect(r).toMatchObject({ ok: false, error: { code: 'ERR_NONCE_UNKNOWN' } })
    expect(await a.ledger.getReplayState()).toMatchObject({ lastSeq: null })
  })

  it.each([
    ['the same seq', 5],
    ['a lower seq', 4],
  ])('refuses %s, names the last seq, and the nonce stays usable', async (_what, seq) => {
    accepted(await a.ledger.admitBatch(admitRequest(a, { seq: 5 })))
    const before = await ledgerState(a)
    const req = admitRequest(a, { seq, value: 21 })
    const r = await a.ledger.admitBatch(req)
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'ERR_SEQ_REPLAYED', detail: { lastSeq: 5 } },
    })
    expect(await ledgerState(a)).toEqual(before)
    // Nothing was spent: the same nonce admits a batch with a rising seq.
    accepted(await a.ledger.admitBatch(admitRequest(a, { seq: 6, nonce: req.batch.nonce })))
  })
})

describe('AgentLedger.admitBatch: TPM clock', () => {
  /** Admit seq 1 at a quoted clock, then offer seq 2 at `next(that clock)`. */
  async function second(
    next: (base: TpmClock) => TpmClock,
  ): Promise<{ r: RpcResult<AdmitResult>; before: unknown; clock: TpmClock }> {
    const n1 = freshNonce(a)
    const base = quotedClock(a, n1)
    accepted(await a.ledger.admitBatch(admitRequest(a, { seq: 1, nonce: n1, clock: base })))
    const before = await ledgerState(a)
    const clock = next(base)
    const r = await a.ledger.admitBatch(admitRequest(a, { seq: 2, clock }))
    return { r, before, clock }
  }

  const minus = (v: string, d: number): string => (BigInt(v) - BigInt(d)).toString()

  it.each<[string, string, (c: TpmClock) => TpmClock]>([
    ['resetCount', 'resetCount', (c) => ({ ...c, resetCount: c.resetCount - 1 })],
    [
      'restartCount within one reset, clock ahead',
      'restartCount',
      (c) => ({ ...c, restartCount: c.restartCount - 1, clock: minus(c.clock, -1000) }),
    ],
    ['a repeated clock within one boot', 'clock', (c) => ({ ...c })],
    ['clock within one boot', 'clock', (c) => ({ ...c, clock: minus(c.clock, 1) })],
  ])('refuses %s going backwards and leaves no state', async (_what, field, next) => {
    const { r, before } = await second(next)
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'ERR_CLOCK_ROLLBACK', message: `TPM ${field} went backwards` },
    })
    expect(await a.ledger.getReplayState()).toMatchObject({ lastSeq: 1 })
    expect(await ledgerState(a)).toEqual(before)
  })

  it.each<[string, (c: TpmClock) => TpmClock]>([
    ['a later clock', (c) => ({ ...c, clock: minus(c.clock, -1) })],
    [
      'a reboot (resetCount up, clock restarted)',
      (c) => ({ ...c, resetCount: c.resetCount + 1, clock: '5' }),
    ],
    [
      'a resume (restartCount up, clock restarted)',
      (c) => ({ ...c, restartCount: c.restartCount + 1, clock: '5' }),
    ],
  ])('accepts %s and remembers it', async (_what, next) => {
    const { r, clock } = await second(next)
    expect(accepted(r).accepted?.seq).toBe(2)
    expect(await a.ledger.getReplayState()).toMatchObject({ lastSeq: 2, ...clock })
  })
})
