/**
 * The console's only way to the collector: same-origin fetches of the JSON APIs with the session's
 * role token as `Authorization: Bearer` (none under Cloudflare Access, whose edge adds
 * `Cf-Access-Jwt-Assertion` itself). Non-2xx answers become ApiError from their RFC 9457
 * problem+json body (code, status, title, detail and extension members such as `path`), so views
 * branch on `code`, never on text. ApiError.detail holds the extension members.
 */
import { readProblem } from '../../../attest/json/problem.ts'
import { currentToken } from '../session/token-store.ts'

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    title: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(title)
    this.name = 'ApiError'
  }
}

/** Called on any 401, so the shell can send the user back to sign-in. */
let onUnauthorized: ((e: ApiError) => void) | undefined
export function setUnauthorizedHandler(f: (e: ApiError) => void): void {
  onUnauthorized = f
}

export async function apiFetch(
  path: string,
  init: RequestInit = {},
  token = currentToken(),
): Promise<Response> {
  const headers = new Headers(init.headers)
  if (token) headers.set('authorization', `Bearer ${token}`)
  if (init.body !== undefined && !headers.has('content-type'))
    headers.set('content-type', 'application/json')
  headers.set('accept', 'application/json')
  let res: Response
  try {
    res = await fetch(path, { ...init, headers, credentials: 'same-origin', cache: 'no-store' })
  } catch (e) {
    throw new ApiError(
      'ERR_NETWORK',
      0,
      `the collector could not be reached: ${(e as Error).message}`,
    )
  }
  if (res.ok) return res
  let body: unknown
  try {
    body = await res.json()
  } catch {
    /* not problem+json: keep the status */
  }
  const p = readProblem(body)
  const err = new ApiError(
    p.code ?? `HTTP_${res.status}`,
    res.status,
    p.message ?? res.statusText,
    Object.keys(p.extensions).length ? p.extensions : undefined,
  )
  if (res.status === 401 && onUnauthorized) onUnauthorized(err)
  throw err
}

export async function api<T>(
  path: string,
  init: RequestInit = {},
  token?: string | null,
): Promise<T> {
  const res = await apiFetch(path, init, token === undefined ? currentToken() : token)
  if (res.status === 204) return undefined as T
  return (await res.json()) as T
}

export function qs(params: Record<string, string | number | null | undefined>): string {
  const u = new URLSearchParams()
  for (const [k, v] of Object.entries(params))
    if (v !== null && v !== undefined && v !== '') u.set(k, String(v))
  const s = u.toString()
  return s ? `?${s}` : ''
}
