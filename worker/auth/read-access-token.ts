/**
 * Finds the role token on a request: the `Cf-Access-Jwt-Assertion` header that Cloudflare Access
 * adds in front of the worker, else `Authorization: Bearer <token>` (RFC 6750 §2.1). When both are
 * present the Access header wins, so a client cannot swap in a different token behind Access.
 * Leaves out the CF_Authorization cookie (browsers' copy; reading it would invite CSRF) and
 * tokens in query strings (RFC 6750 §2.3, which leak into logs).
 */
export function readAccessToken(headers: Headers): string | undefined {
  const access = headers.get('cf-access-jwt-assertion')?.trim()
  if (access) return access
  const auth = headers.get('authorization')
  if (auth === null) return undefined
  const m = /^Bearer +(\S+) *$/i.exec(auth)
  return m ? m[1] : undefined
}
