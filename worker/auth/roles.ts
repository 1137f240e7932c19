/**
 * The roles people and services hold, and their order. The hierarchy is explicit and total:
 * operator > auditor > viewer, and a higher role implies every lower one (an operator may do what
 * an auditor or a viewer may). Leaves out per-resource grants: roles are global to the collector.
 * See docs/access.md.
 */
export type Role = 'operator' | 'auditor' | 'viewer'

export const ROLES: readonly Role[] = ['viewer', 'auditor', 'operator']

const RANK: Record<Role, number> = { viewer: 1, auditor: 2, operator: 3 }

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && Object.hasOwn(RANK, x)
}

/**
 * True when the holder may act in at least one of the accepted roles. With a total order this
 * means: the holder's highest role ranks at or above the lowest accepted role.
 */
export function satisfiesRole(held: readonly Role[], accepted: readonly Role[]): boolean {
  if (accepted.length === 0 || held.length === 0) return false
  const need = Math.min(...accepted.map((r) => RANK[r]))
  return held.some((r) => RANK[r] >= need)
}
