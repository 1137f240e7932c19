/**
 * RFC 9457 as the collector writes it (worker/http/problem.ts): `title` fixed per code, the
 * occurrence's message in `detail` (a string), structured data as extension members that never
 * replace a standard member, the error's headers on the response, and nothing of a non-AegisError.
 */
import { describe, expect, it } from 'vitest'
import { AegisError } from '../../../attest/errors.ts'
import { problemResponse } from '../../../worker/http/problem.ts'
import { PROBLEM_TITLES } from '../../../worker/http/problem-titles.ts'

const URL_ = 'https://collector.example/v1/agents/x/batches?y=1'

async function body(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  return (await res.json()) as Record<string, unknown>
}

describe('problemResponse', () => {
  it('fixes the title per code and puts the message in detail', async () => {
    const a = await body(problemResponse(URL_, new AegisError('ERR_SEQ_REPLAYED', 'seq 3 <= 4')))
    const b = await body(problemResponse(URL_, new AegisError('ERR_SEQ_REPLAYED', 'seq 9 <= 9')))
    expect(a).toEqual({
      type: 'https://aegis-edge.dev/errors/ERR_SEQ_REPLAYED',
      title: 'Sequence number replayed',
      status: 409,
      code: 'ERR_SEQ_REPLAYED',
      detail: 'seq 3 <= 4',
      instance: '/v1/agents/x/batches',
    })
    expect(b.title).toBe(a.title)
    expect(b.detail).toBe('seq 9 <= 9')
  })

  it('sends structured data as extension members, never over a standard member', async () => {
    const e = new AegisError('ERR_INPUT_MALFORMED', 'bad field', {
      detail: { path: '$.seq', status: 200, detail: 'x', title: 't', type: 'y', code: 'z' },
    })
    const res = problemResponse(URL_, e)
    expect(res.status).toBe(400)
    expect(await body(res)).toEqual({
      type: 'https://aegis-edge.dev/errors/ERR_INPUT_MALFORMED',
      title: PROBLEM_TITLES.ERR_INPUT_MALFORMED,
      status: 400,
      code: 'ERR_INPUT_MALFORMED',
      detail: 'bad field',
      instance: '/v1/agents/x/batches',
      path: '$.seq',
    })
  })

  it("carries the error's headers", () => {
    const e = new AegisError('ERR_AUTH_MISSING', 'no token', {
      headers: { 'www-authenticate': 'Bearer realm="r"' },
    })
    const res = problemResponse(URL_, e)
    expect([res.status, res.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="r"'])
  })

  it('exposes nothing of an error that is not an AegisError', async () => {
    const res = problemResponse(URL_, new Error('secret stack detail'))
    expect(res.status).toBe(500)
    expect(await body(res)).toEqual({
      type: 'https://aegis-edge.dev/errors/ERR_INTERNAL',
      title: 'Internal error',
      status: 500,
      code: 'ERR_INTERNAL',
      instance: '/v1/agents/x/batches',
    })
  })
})
