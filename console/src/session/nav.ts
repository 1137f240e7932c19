/**
 * Which views a role sees (docs/console.md): the console hides what a role may not use, and the
 * API refuses it anyway (a hidden view opened by URL shows the 403). Mirrors the worker's role
 * order operator > auditor > viewer (worker/auth/roles.ts) and each API's guard:
 * fleet and metrics read viewer APIs, decisions and provenance auditor APIs, policy operator APIs.
 */
import type { Role } from '../api/types.ts'

export type ViewName = 'fleet' | 'metrics' | 'decisions' | 'provenance' | 'policy'

export const VIEWS: readonly { name: ViewName; title: string; role: Role }[] = [
  { name: 'fleet', title: 'Fleet', role: 'viewer' },
  { name: 'metrics', title: 'Metrics', role: 'viewer' },
  { name: 'decisions', title: 'Decisions', role: 'auditor' },
  { name: 'provenance', title: 'Provenance', role: 'auditor' },
  { name: 'policy', title: 'Policy', role: 'operator' },
]

const RANK: Record<Role, number> = { viewer: 1, auditor: 2, operator: 3 }

export function highestRole(roles: readonly string[]): Role | null {
  let best: Role | null = null
  for (const r of roles)
    if (r in RANK && (best === null || RANK[r as Role] > RANK[best])) best = r as Role
  return best
}

export function mayUse(roles: readonly string[], need: Role): boolean {
  const top = highestRole(roles)
  return top !== null && RANK[top] >= RANK[need]
}

export function visibleViews(roles: readonly string[]): ViewName[] {
  return VIEWS.filter((v) => mayUse(roles, v.role)).map((v) => v.name)
}

export interface Route {
  view: ViewName
  /** path segments after the view, e.g. a batch id */
  rest: string[]
  params: URLSearchParams
}

/** `#/provenance/<id>?x=1` -> { view, rest, params }; anything unknown is the fleet. */
export function parseHash(hash: string): Route {
  const body = hash.replace(/^#\/?/, '')
  const [path = '', query = ''] = body.split('?', 2)
  const [first = '', ...rest] = path.split('/').filter(Boolean).map(decodeURIComponent)
  const view = VIEWS.some((v) => v.name === first) ? (first as ViewName) : 'fleet'
  return { view, rest: view === first ? rest : [], params: new URLSearchParams(query) }
}

export function hashFor(
  view: ViewName,
  rest: string[] = [],
  params: Record<string, string | undefined> = {},
): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v)
  const s = q.toString()
  return `#/${[view, ...rest].map(encodeURIComponent).join('/')}${s ? `?${s}` : ''}`
}
