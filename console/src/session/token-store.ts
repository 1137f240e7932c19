/**
 * Where the pasted role token lives: sessionStorage, so it dies with the tab and is never sent
 * anywhere but the collector's own origin. Under Cloudflare Access nothing is stored: the edge
 * adds the Access JWT to each request. Leaves out refresh: tokens are short-lived by design.
 */
const KEY = 'aegis.token'

export function currentToken(): string | null {
  try {
    return sessionStorage.getItem(KEY)
  } catch {
    return null
  }
}

export function storeToken(token: string | null): void {
  if (token) sessionStorage.setItem(KEY, token)
  else sessionStorage.removeItem(KEY)
}
