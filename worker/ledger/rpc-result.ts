/**
 * Durable Object RPC keeps an exception's message and class name but drops its own properties
 * (Workers RPC error handling), so a typed AegisError would arrive without its code. DO methods
 * therefore return a tagged result; `unwrap` rebuilds the AegisError on the caller's side.
 * Anything that is not an AegisError is a bug and is rethrown as is (-> 500).
 */
import { AegisError, type ErrorCode } from '../../attest/errors.ts'

export type RpcResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: ErrorCode; message: string; detail?: Record<string, unknown> } }

function fail(e: unknown): RpcResult<never> {
  if (!(e instanceof AegisError)) throw e
  return {
    ok: false,
    error: { code: e.code, message: e.message, ...(e.detail ? { detail: e.detail } : {}) },
  }
}

export function capture<T>(f: () => T): RpcResult<T> {
  try {
    return { ok: true, value: f() }
  } catch (e) {
    return fail(e)
  }
}

export async function captureAsync<T>(f: () => Promise<T>): Promise<RpcResult<T>> {
  try {
    return { ok: true, value: await f() }
  } catch (e) {
    return fail(e)
  }
}

export function unwrap<T>(r: RpcResult<T>): T {
  if (r.ok) return r.value
  throw new AegisError(
    r.error.code,
    r.error.message,
    r.error.detail ? { detail: r.error.detail } : {},
  )
}

/**
 * The RPC face of a Durable Object class: methods K, each answering a Promise of what the method
 * returns (sync methods become async over RPC). Derived from the class itself because the
 * generated stub type maps return types through RPC serialisation types, which loses the
 * RpcResult union.
 */
export type RpcApi<T, K extends keyof T> = {
  [P in K]: T[P] extends (...a: infer A) => infer R ? (...a: A) => Promise<Awaited<R>> : never
}
