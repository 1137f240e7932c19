/**
 * Reading an RFC 9457 problem body as the collector writes it (worker/http/problem.ts): `title`
 * fixed per code, `detail` the occurrence's message, structured data as extension members beside
 * `code`. Shared by the agent's and the console's HTTP clients.
 */

/** The members RFC 9457 §3.1 defines, plus our `code`; anything else is an extension member. */
const STANDARD = new Set(['type', 'title', 'status', 'detail', 'instance', 'code'])

export interface ReadProblem {
  code: string | undefined
  /** `detail`, else `title`: the most specific text the body has. */
  message: string | undefined
  extensions: Record<string, unknown>
}

export function readProblem(body: unknown): ReadProblem {
  const p = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined)
  return {
    code: text(p.code),
    message: text(p.detail) ?? text(p.title),
    extensions: Object.fromEntries(Object.entries(p).filter(([k]) => !STANDARD.has(k))),
  }
}
