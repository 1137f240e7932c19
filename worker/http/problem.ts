/**
 * RFC 9457 problem+json: the single place where errors become HTTP responses.
 * AegisError keeps its code/status/detail; anything else is ERR_INTERNAL with no detail or stack.
 */
import { AegisError, type ErrorCode } from '../../attest/errors.ts'

export interface ProblemInit {
  code: ErrorCode
  status: number
  title: string
  detail?: Record<string, unknown> | undefined
}

export function toProblem(err: unknown): ProblemInit {
  if (err instanceof AegisError) {
    return { code: err.code, status: err.status, title: err.message, detail: err.detail }
  }
  return { code: 'ERR_INTERNAL', status: 500, title: 'Internal error' }
}

export function problemResponse(instance: string, err: unknown, headers?: HeadersInit): Response {
  const p =
    err instanceof AegisError || err instanceof Error || !isProblemInit(err) ? toProblem(err) : err
  if (p.code === 'ERR_INTERNAL' && !(err instanceof AegisError))
    console.error('unhandled error', err)
  const body = {
    type: `https://aegis-edge.dev/errors/${p.code}`,
    title: p.title,
    status: p.status,
    code: p.code,
    instance: new URL(instance).pathname,
    ...(p.detail ? { detail: p.detail } : {}),
  }
  const h = new Headers(headers)
  h.set('content-type', 'application/problem+json')
  // RFC 9110 §10.2.3: a 429 says when to come back (ratelimit/rate-limit.ts puts it in detail).
  const retry = p.detail?.retryAfterSeconds
  if (p.code === 'ERR_RATE_LIMITED' && typeof retry === 'number')
    h.set('retry-after', String(retry))
  return new Response(JSON.stringify(body), { status: p.status, headers: h })
}

function isProblemInit(x: unknown): x is ProblemInit {
  return typeof x === 'object' && x !== null && 'code' in x && 'status' in x && 'title' in x
}
