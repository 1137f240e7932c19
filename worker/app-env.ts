/** Hono typing shared by every route: bindings from `wrangler types`, per-request variables. */
import type { AuditVariables } from './audit/audit-outcome.ts'
import type { AuthVariables } from './auth/types.ts'

export type AppEnv = {
  Bindings: Env
  Variables: AuthVariables & AuditVariables
}
