/** The AegisError code a call throws ('no error' when it returns); anything else is re-thrown. */
import { AegisError } from '../../../attest/errors.ts'

export function code(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    if (e instanceof AegisError) return e.code
    throw e
  }
  return 'no error'
}
