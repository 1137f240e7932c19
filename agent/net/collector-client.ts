/**
 * HTTP client for the collector API. Problem+json answers become AegisErrors carrying the
 * collector's own code (so the CLI reports ERR_NONCE_REPLAYED, not "HTTP 409"); network failures
 * and timeouts become ERR_COLLECTOR with `detail.transient = true`, which the uploader retries.
 */
import { AegisError, ERROR_STATUS, type ErrorCode } from '../../attest/errors.ts'
import { readProblem } from '../../attest/json/problem.ts'

export interface CollectorReply<T> {
  status: number
  body: T
  headers: Headers
}

export class CollectorClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 15_000,
  ) {
    try {
      new URL(baseUrl)
    } catch (e) {
      throw new AegisError('ERR_CONFIG', `collector URL '${baseUrl}' is not a valid URL`, {
        cause: e,
      })
    }
  }

  /**
   * `opts.signal` aborts the request early (a graceful stop); it then fails as unreachable.
   * `opts.token` is sent as a bearer token (operator, auditor and viewer APIs).
   */
  async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    opts: { signal?: AbortSignal; token?: string } = {},
  ): Promise<CollectorReply<T>> {
    const url = new URL(path, this.baseUrl)
    const timeout = AbortSignal.timeout(this.timeoutMs)
    let res: Response
    let text: string
    try {
      res = await fetch(url, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
        body:
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
      })
      // A connection dropped mid-body is as unreachable as one refused.
      text = await res.text()
    } catch (e) {
      throw new AegisError('ERR_COLLECTOR', `collector unreachable: ${(e as Error).message}`, {
        cause: e,
        detail: { transient: true, url: url.origin },
      })
    }
    let parsed: unknown
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      parsed = undefined
    }
    if (res.ok) return { status: res.status, body: parsed as T, headers: res.headers }
    const p = readProblem(parsed)
    if (p.code && p.code in ERROR_STATUS) {
      throw new AegisError(p.code as ErrorCode, p.message ?? p.code, {
        detail: { ...p.extensions, httpStatus: res.status },
      })
    }
    throw new AegisError('ERR_COLLECTOR', `collector answered HTTP ${res.status}`, {
      detail: { httpStatus: res.status, transient: res.status >= 500 || res.status === 429 },
    })
  }
}
