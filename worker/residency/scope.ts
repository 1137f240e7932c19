/**
 * Role tokens may be scoped to jurisdictions (docs/access.md): a `jurisdictions` claim, an array
 * of `eu`, `us`, `fedramp`. A scoped principal sees the data of agents in those jurisdictions and
 * of unrestricted agents; data of another jurisdiction is refused (ERR_RESIDENCY_FORBIDDEN). A
 * token without the claim is unscoped. A claim that is present but malformed makes the token
 * invalid rather than silently unscoped.
 */
import { AegisError } from '../../attest/errors.ts'
import { isJurisdiction, type Jurisdiction } from './jurisdiction.ts'

export const JURISDICTIONS_CLAIM = 'jurisdictions'

/** The claim's value, undefined when absent; throws ERR_AUTH_INVALID when malformed. */
export function jurisdictionsClaim(payload: Record<string, unknown>): Jurisdiction[] | undefined {
  const v = payload[JURISDICTIONS_CLAIM]
  if (v === undefined) return undefined
  if (!Array.isArray(v) || !v.every(isJurisdiction)) {
    throw new AegisError('ERR_AUTH_INVALID', 'Token jurisdictions claim is malformed', {
      detail: { reason: 'claims' },
    })
  }
  return [...new Set(v)]
}

export function requireJurisdiction(
  principal: { jurisdictions?: readonly Jurisdiction[] } | undefined,
  j: Jurisdiction | null,
): void {
  const scope = principal?.jurisdictions
  if (!j || !scope || scope.includes(j)) return
  throw new AegisError(
    'ERR_RESIDENCY_FORBIDDEN',
    `this token is scoped to ${scope.join(', ') || 'no jurisdiction'}, the data is in ${j}`,
    { detail: { jurisdiction: j, scope } },
  )
}

/** Whether a scoped principal may see an agent of jurisdiction `j` (null: unrestricted). */
export function inScope(
  principal: { jurisdictions?: readonly Jurisdiction[] } | undefined,
  j: string | null,
): boolean {
  const scope = principal?.jurisdictions
  return !j || !scope || (scope as readonly string[]).includes(j)
}
