/**
 * AgentLedger's in-memory copies (agent record, replay state, alarm) in workerd with a real
 * SQLite-backed Durable Object: every write through the ledger drops its copy, so a revocation,
 * a re-zoning, a move or an acknowledged outbox takes effect on the next admission; the copies
 * never admit a revoked, moving or replayed batch; the outbox alarm comes back after the outbox
 * emptied; and the spent nonce order a duplicate's answer advances is the one the next admission
 * and a fresh instance see.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { utf8 } from '../../../attest/bytes/encoding.ts'
import type { RpcResult } from '../../../worker/ledger/rpc-result.ts'
import type { AdmitRequest, AdmitResult, AgentRecord } from '../../../worker/ledger/types.ts'
import { issueNonce } from '../../../worker/ledger/stateless-nonce.ts'
import { resetState } from '../helpers/reset.ts'
import { agentRecord } from '../helpers/ledger-records.ts'
import { admittedBatch } from './ledger-fixture.ts'

const AGENT = 'c1'.repeat(32)
const AK_NAME = '000b' + '11'.repeat(32)
const T0 = Date.now()
let tick = 1000

const ledger = () => env.AGENT_LEDGER.get(env.AGENT_LEDGER.idFromName(AGENT))

const record = () => agentRecord(AGENT, { akName: AK_NAME })

/** What the worker sends after verifying batch `seq` (the ledger does not re-verify the quote). */
function request(seq: number, nonce: string, recordVersion = 1): AdmitRequest {
  // The payload depends on seq alone: the same seq again is the same batch (a retry).
  const at = T0 + seq * 1000
  const fix = { lat: 1, lon: 2, accuracyM: 5, fixTime: at, sensorId: 'gnss:test' }
  const payload = utf8(JSON.stringify({ agentId: AGENT, seq, collectedAt: at, location: fix }))
  return {
    recordVersion,
    // The TPM clock rises with every quote, whatever the seq.
    clock: { clock: String(++tick), resetCount: 1, restartCount: 0 },
    fix,
    geo: { maxSpeedMps: 1000, enforce: true },
    nonceTtlSeconds: 60,
    batch: admittedBatch({ agentId: AGENT, akName: AK_NAME, seq, payload, nonce, at: Date.now() }),
  }
}

const freshNonce = () => issueNonce(env, AGENT, 60).nonce

/** Admit batch `seq`; the error code on refusal, else the next nonce. */
async function admit(seq: number, nonce = freshNonce(), recordVersion = 1) {
  const r = (await ledger().admitBatch(
    request(seq, nonce, recordVersion),
  )) as RpcResult<AdmitResult>
  return r.ok
    ? { ok: true as const, next: r.value.nextNonce }
    : { ok: false as const, code: r.error.code }
}

const alarm = () => runInDurableObject(ledger(), (_o, state) => state.storage.getAlarm())

beforeEach(async () => {
  await resetState([AGENT])
  await runInDurableObject(ledger(), (o, state) => {
    o.forgetCopies()
    state.storage.sql.exec('INSERT INTO agent (id, record) VALUES (1, ?)', JSON.stringify(record()))
  })
})

describe('AgentLedger in-memory copies', () => {
  it('a revocation applies to the very next admission, nonce chain or not', async () => {
    const a = await admit(1)
    expect(a).toMatchObject({ ok: true })
    const revoked = (await ledger().revoke('test')) as RpcResult<AgentRecord>
    expect(revoked.ok).toBe(true)
    expect(await admit(2, a.ok ? a.next : freshNonce())).toEqual({
      ok: false,
      code: 'ERR_AGENT_REVOKED',
    })
    expect(await admit(3)).toEqual({ ok: false, code: 'ERR_AGENT_REVOKED' })
  })

  it('a record change (zones) makes an admission on the old version stale', async () => {
    expect(await admit(1)).toMatchObject({ ok: true })
    expect(((await ledger().setZones(['z1'])) as RpcResult<AgentRecord>).ok).toBe(true)
    expect(await admit(2)).toEqual({ ok: false, code: 'ERR_AGENT_STALE' })
    expect(await admit(2, freshNonce(), 2)).toMatchObject({ ok: true })
  })

  it('an unknown agent (no record) is refused, also after the copy of a record was read', async () => {
    expect(await admit(1)).toMatchObject({ ok: true })
    await resetState([AGENT]) // empties the tables behind the ledger's back, as an unenrolled ledger
    expect(await admit(2)).toEqual({ ok: false, code: 'ERR_AGENT_UNKNOWN' })
  })

  it('the replay copy follows each committed admission and ignores refused ones', async () => {
    const n1 = freshNonce()
    expect(await admit(5, n1)).toMatchObject({ ok: true })
    expect(await admit(5)).toMatchObject({ ok: true }) // same payload: the original receipt
    expect(await admit(4)).toEqual({ ok: false, code: 'ERR_SEQ_REPLAYED' })
    expect(await admit(6, n1)).toEqual({ ok: false, code: 'ERR_NONCE_REPLAYED' })
    expect(await admit(6)).toMatchObject({ ok: true })
    const state = await ledger().getReplayState()
    expect([state.lastSeq, state.clock]).toEqual([6, String(tick)])
  })

  it('of two admissions racing for one nonce exactly one commits', async () => {
    const n = freshNonce()
    const rs = await Promise.all([admit(1, n), admit(2, n)])
    expect(rs.filter((r) => r.ok)).toHaveLength(1)
    expect(rs.find((r) => !r.ok)).toMatchObject({ code: 'ERR_NONCE_REPLAYED' })
  })

  it('a ledger frozen for a move refuses admission at once', async () => {
    expect(await admit(1)).toMatchObject({ ok: true })
    expect(await ledger().freezeForMove('eu')).not.toBeNull()
    expect(await admit(2)).toEqual({ ok: false, code: 'ERR_RESIDENCY_MOVING' })
  })

  it('sets the outbox alarm again after an acknowledgement emptied the outbox and dropped it', async () => {
    const a = (await ledger().admitBatch(request(1, freshNonce()))) as RpcResult<AdmitResult>
    expect(await alarm()).not.toBeNull()
    await ledger().ackOutbox([a.ok ? a.value.accepted!.batchId : ''])
    expect(await ledger().outboxDepth()).toBe(0)
    expect(await alarm()).toBeNull()
    expect(await admit(2)).toMatchObject({ ok: true })
    expect(await alarm()).not.toBeNull()
  })

  it('a duplicate answer spends its nonce in the copy and in storage alike', async () => {
    const first = await admit(1)
    expect(first).toMatchObject({ ok: true })
    // The same batch again under a fresh nonce: answered as a duplicate, its nonce spent.
    const n = freshNonce()
    expect(await admit(1, n)).toMatchObject({ ok: true })
    // This instance's copy refuses it again, and so does a fresh instance reading storage.
    expect(await admit(2, n)).toEqual({ ok: false, code: 'ERR_NONCE_REPLAYED' })
    await runInDurableObject(ledger(), (o) => o.forgetCopies())
    expect(await admit(2, n)).toEqual({ ok: false, code: 'ERR_NONCE_REPLAYED' })
    expect(await admit(2)).toMatchObject({ ok: true })
  })
})
