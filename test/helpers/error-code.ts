/**
 * The one way tests read an expected refusal: the stable AegisError code a call throws, or
 * NO_ERROR when it returns. Anything thrown that is not an AegisError is re-thrown: an untyped
 * exception is a bug, never an expected refusal, and must fail the test loudly.
 * Runs in both test projects (workerd and node).
 */
import { AegisError } from '../../attest/errors.ts'

export const NO_ERROR = 'no error'

function codeOfThrown(e: unknown): string {
  if (e instanceof AegisError) return e.code
  throw e
}

/** The code `f` throws synchronously, or NO_ERROR. */
export function code(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    return codeOfThrown(e)
  }
  return NO_ERROR
}

/** The code a promise (or an async call) rejects with, or NO_ERROR when it resolves. */
export async function codeAsync(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (e) {
    return codeOfThrown(e)
  }
  return NO_ERROR
}
