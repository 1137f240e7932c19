/**
 * Shapes shared by the access-control middleware and its callers: what the worker reads from its
 * environment to verify role tokens, and the verified principal it leaves on the Hono context.
 * The binding names are those of wrangler.toml [vars] / secrets; optional ones may be absent.
 */
import type { Jurisdiction } from '../residency/jurisdiction.ts'
import type { Role } from './roles.ts'

export interface AccessEnv {
  /** 'development' or 'test' trust development issuers and keys; anything else does not. */
  ENVIRONMENT?: string
  /** JSON JWK set (public keys only) trusted for role tokens: dev and self-hosted. */
  ACCESS_JWKS?: string
  /** https URL of a JWK set, e.g. Cloudflare Access `https://<team>.cloudflareaccess.com/cdn-cgi/access/certs`. */
  ACCESS_JWKS_URL?: string
  /** Required `iss`; a comma-separated list accepts any of them. */
  ACCESS_ISSUER?: string
  /** Required `aud`; a comma-separated list accepts any of them (e.g. one Access app per path). */
  ACCESS_AUDIENCE?: string
  /** Claim holding the roles (default `roles`); a dotted path such as `custom.roles` is followed. */
  ACCESS_ROLES_CLAIM?: string
}

/** Who made the request, as the verified token says. */
export interface Principal {
  /** `sub`, or for Cloudflare Access service tokens (empty `sub`) their `common_name`. */
  sub: string
  /** The roles the token grants (known names only, in hierarchy order, no duplicates). */
  roles: Role[]
  /** The token's issuer. */
  iss: string
  /** Jurisdictions the token is scoped to (docs/sovereignty.md); absent: unscoped. */
  jurisdictions?: Jurisdiction[]
}

/** Hono Variables set by requireRole(): `c.get('principal')`. */
export type AuthVariables = { principal: Principal }
