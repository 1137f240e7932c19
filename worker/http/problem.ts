/**
 * RFC 9457 problem+json: the single place where errors become HTTP responses. `type` and `title`
 * are fixed per code (problem-titles.ts), `detail` is this occurrence's message (a string),
 * `instance` the request path, and the error's structured data are extension members beside
 * `code` (e.g. `path`, `pcr`, `retryAfterSeconds`). An AegisError's headers travel with it
 * (WWW-Authenticate from requireRole, Retry-After from the rate limiter). Anything that is not an
 * AegisError is ERR_INTERNAL with no detail or stack.
 */
import { AegisError, ERROR_STATUS, type ErrorCode } from '../../attest/errors.ts'
import { PROBLEM_TITLES } from './problem-titles.ts'

/** Members RFC 9457 §3.1 defines, plus our `code`: extension members never replace them. */
const STANDARD_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'code'])

export interface ProblemBody {
  type: string
  title: string
  status: number
  code: ErrorCode
  detail?: string
  instance: string
  [extension: string]: unknown
}

export function problemBody(instance: string, err: unknown): ProblemBody {
  const e = err instanceof AegisError ? err : undefined
  const code = e?.code ?? 'ERR_INTERNAL'
  const extensions = Object.entries(e?.detail ?? {}).filter(([k]) => !STANDARD_MEMBERS.has(k))
  return {
    type: `https://aegis-edge.dev/errors/${code}`,
    title: PROBLEM_TITLES[code],
    status: e?.status ?? ERROR_STATUS.ERR_INTERNAL,
    code,
    ...(e ? { detail: e.message } : {}),
    instance: new URL(instance).pathname,
    ...Object.fromEntries(extensions),
  }
}

export function problemResponse(instance: string, err: unknown): Response {
  if (!(err instanceof AegisError)) console.error('unhandled error', err)
  const h = new Headers(err instanceof AegisError ? err.headers : undefined)
  h.set('content-type', 'application/problem+json')
  const body = problemBody(instance, err)
  return new Response(JSON.stringify(body), { status: body.status, headers: h })
}
