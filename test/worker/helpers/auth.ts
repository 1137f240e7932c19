/** Role tokens for workerd tests: a thin wrapper over test/worker/auth/mint.ts (dev admin key). */
import { mint } from '../auth/mint.ts'

type Role = 'operator' | 'auditor' | 'viewer'

export function roleToken(role: Role, opts: { ttl?: number } = {}): Promise<string> {
  return mint({ roles: [role], exp: opts.ttl ?? 300, claims: { sub: `test-${role}` } })
}

export async function authHeaders(role: Role): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await roleToken(role)}`, 'content-type': 'application/json' }
}
