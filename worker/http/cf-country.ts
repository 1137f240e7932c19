/**
 * The IP-based country Cloudflare attaches as `request.cf.country`: advisory only (recorded beside
 * every decision, optionally required to match a zone). Absent in local dev, offline tests and on
 * self-hosted workerd, where it is null; its lookup failing must never fail a request.
 */
export function cfCountry(req: Request): string | null {
  const cf = (req as { cf?: { country?: unknown } }).cf
  return typeof cf?.country === 'string' ? cf.country : null
}
