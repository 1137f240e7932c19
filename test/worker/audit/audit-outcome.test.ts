/**
 * auditOutcome (worker/audit/audit-outcome.ts) records after the handler: an acceptance once
 * (recordAccept), a refusal with what the handler noted, an authenticated refusal as one decision
 * with its detail, and nothing for a request no handler served.
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { AegisError } from '../../../attest/errors.ts'
import type { AppEnv } from '../../../worker/app-env.ts'
import { auditOutcome, noteAudit } from '../../../worker/audit/audit-outcome.ts'
import type { Decision } from '../../../worker/audit/record-decision.ts'
import { problemResponse } from '../../../worker/http/problem.ts'

const A = 'a'.repeat(64)

function harness() {
  const app = new Hono<AppEnv>()
  app.use('/enroll', auditOutcome('enroll', { recordAccept: true }))
  app.use(
    '/batch',
    auditOutcome('batch', {
      anonymous: (e) => !(e instanceof AegisError && e.code === 'ERR_SEQ_REPLAYED'),
    }),
  )
  app.post('/enroll', (c) => {
    noteAudit(c, { agentId: A })
    return c.json({ agentId: A }, 201)
  })
  app.post('/batch', (c) => {
    noteAudit(c, { agentId: A, batchId: 'b'.repeat(64), verifyMs: 2 })
    const code = c.req.query('code') as 'ERR_SEQ_REPLAYED' | 'ERR_QUOTE_NONCE'
    throw new AegisError(code, 'refused', { detail: { lastSeq: 4 } })
  })
  app.onError((e, c) => problemResponse(c.req.url, e))
  const sent: { type: string; decision: Decision }[] = []
  const env = {
    SYNC_QUEUE: { send: async (m: (typeof sent)[number]) => void sent.push(m) },
  } as unknown as Env
  const waits: Promise<unknown>[] = []
  const ctx = {
    waitUntil: (p: Promise<unknown>) => void waits.push(p),
    passThroughOnException() {},
    props: {},
  }
  const call = async (method: string, path: string) => {
    const req = new Request(`http://collector${path}`, {
      method,
      headers: { 'cf-connecting-ip': '192.0.2.7' },
    })
    const res = await app.fetch(req, env, ctx as unknown as ExecutionContext)
    await Promise.all(waits)
    return res.status
  }
  return { call, sent }
}

describe('auditOutcome', () => {
  it('records an accepted enrollment once, naming the agent', async () => {
    const h = harness()
    expect(await h.call('POST', '/enroll')).toBe(201)
    expect(
      h.sent.map((m) => [m.type, m.decision.kind, m.decision.verdict, m.decision.agentId]),
    ).toEqual([['decision', 'enroll', 'accept', A]])
  })

  it('records nothing for a request no handler served', async () => {
    const h = harness()
    expect(await h.call('GET', '/enroll')).toBe(404)
    expect(h.sent).toEqual([])
  })

  it("keeps an agent's own refusal as one decision with the handler's notes", async () => {
    const h = harness()
    expect(await h.call('POST', '/batch?code=ERR_SEQ_REPLAYED')).toBe(409)
    expect(h.sent.map((m) => m.decision)).toMatchObject([
      {
        kind: 'batch',
        verdict: 'reject',
        code: 'ERR_SEQ_REPLAYED',
        agentId: A,
        batchId: 'b'.repeat(64),
        verifyMs: 2,
        detail: { lastSeq: 4 },
      },
    ])
    expect(h.sent[0]!.decision.aggregate).toBeUndefined()
  })

  it('counts an anonymous refusal per client, without batch or detail', async () => {
    const h = harness()
    expect(await h.call('POST', '/batch?code=ERR_QUOTE_NONCE')).toBe(403)
    expect(h.sent.map((m) => m.decision)).toMatchObject([
      {
        code: 'ERR_QUOTE_NONCE',
        agentId: A,
        batchId: null,
        detail: null,
        aggregate: { client: '192.0.2.7' },
      },
    ])
  })
})
