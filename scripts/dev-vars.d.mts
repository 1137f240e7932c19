/** Types for scripts/dev-vars.mjs, so the CLI and the vitest config can import it from TypeScript. */
export interface DevVars {
  COLLECTOR_SIGNING_JWKS: string
  DEV_ADMIN_JWKS: string
  ACCESS_JWKS: string
}
export const DEV_VARS: URL
export const DEV_ACCESS_ISSUER: string
export const DEV_ACCESS_AUDIENCE: string
export function readDevVars(file?: URL | string): Partial<DevVars> & Record<string, string>
export function makeDevVars(): Promise<DevVars>
export function ensureDevVars(
  file?: URL | string,
): Promise<Partial<DevVars> & Record<string, string>>
export function formatEnvFile(vars: Record<string, string>, header?: string): string
