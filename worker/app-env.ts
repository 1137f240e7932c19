/** Hono typing shared by every route: bindings from `wrangler types`, per-request variables. */
export type AppEnv = {
  Bindings: Env
  Variables: Record<string, unknown>
}
