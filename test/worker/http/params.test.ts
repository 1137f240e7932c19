/**
 * One parser for time parameters in query strings (worker/http/params.ts): epoch ms or ISO 8601
 * with its zone; everything else ERR_INPUT_MALFORMED naming the parameter. And one agentId pattern.
 */
import { describe, expect, it } from 'vitest'
import { AegisError } from '../../../attest/errors.ts'
import { AGENT_ID, auditRange, queryTime } from '../../../worker/http/params.ts'

function refusal(f: () => unknown): { code: string; detail: unknown } | undefined {
  try {
    f()
  } catch (e) {
    if (e instanceof AegisError) return { code: e.code, detail: e.detail }
    throw e
  }
  return undefined
}

describe('queryTime', () => {
  it('takes epoch ms and ISO 8601 dates and date-times with their zone', () => {
    expect(queryTime(undefined, 42, 'from')).toBe(42)
    expect(queryTime('1733353200000', 0, 'from')).toBe(1733353200000)
    expect(queryTime('2026-12-04', 0, 'from')).toBe(Date.UTC(2026, 11, 4))
    expect(queryTime('2026-12-04T21:00Z', 0, 'from')).toBe(Date.UTC(2026, 11, 4, 21))
    expect(queryTime('2026-12-04T21:00:00.500Z', 0, 'to')).toBe(
      Date.UTC(2026, 11, 4, 21, 0, 0, 500),
    )
    expect(queryTime('2026-12-04T22:00:00+01:00', 0, 'to')).toBe(Date.UTC(2026, 11, 4, 21))
  })

  it('refuses empty, zoneless, loose and out-of-range values, naming the parameter', () => {
    for (const v of [
      '',
      '2026-12-04T21:00:00',
      'Dec 4 2026',
      'yesterday',
      '-1',
      '1.5',
      '2026-13-45',
      '99999999999999999',
    ]) {
      expect([v, refusal(() => queryTime(v, 0, 'to'))]).toEqual([
        v,
        { code: 'ERR_INPUT_MALFORMED', detail: { parameter: 'to' } },
      ])
    }
  })

  it('gives the audit listings all of time and 100 rows unless told', () => {
    expect(auditRange({})).toEqual({ from: 0, to: Number.MAX_SAFE_INTEGER, limit: 100 })
    expect(auditRange({ from: '5', to: '9', limit: '5000' })).toEqual({
      from: 5,
      to: 9,
      limit: 1000,
    })
  })
})

describe('AGENT_ID', () => {
  it('is 64 lowercase hex digits exactly', () => {
    expect(AGENT_ID.test('a'.repeat(64))).toBe(true)
    for (const v of ['A'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), 'g'.repeat(64)])
      expect([v, AGENT_ID.test(v)]).toEqual([v, false])
  })
})
