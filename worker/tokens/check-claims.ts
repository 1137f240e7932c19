/**
 * Shape checks for the values the collector puts in its tokens. The callers are the worker's own
 * routes, so a failure here is a bug upstream, reported as ERR_INTERNAL rather than as a client
 * error. Leaves out semantic checks (that an agent exists, that a zone is assigned): the routes
 * did those before asking for a token.
 */
import { AegisError } from '../../attest/errors.ts'

export function hexDigest(v: unknown, what: string, bytes?: number): string {
  const ok =
    typeof v === 'string' &&
    v.length > 0 &&
    v.length % 2 === 0 &&
    /^[0-9a-f]+$/.test(v) &&
    (bytes === undefined || v.length === bytes * 2)
  if (!ok) throw bug(`${what} must be lowercase hex${bytes ? ` of ${bytes} bytes` : ''}`)
  return v
}

export function label(v: unknown, what: string, max = 256): string {
  if (
    typeof v !== 'string' ||
    v.length === 0 ||
    v.length > max ||
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    /[\u0000-\u001f\u007f]/.test(v)
  ) {
    throw bug(`${what} must be a non-empty string of at most ${max} printable characters`)
  }
  return v
}

export function integer(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw bug(`${what} must be an integer in [${min}, ${max}]`)
  }
  return v
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

export function bug(message: string): AegisError {
  return new AegisError('ERR_INTERNAL', message)
}
