/**
 * ReadPublic of a persistent handle that may be empty: undefined when nothing is persisted there
 * (TPM_RC_HANDLE), the object's public area and Name otherwise. Any other failure propagates.
 */
import { isAegisError } from '../../attest/errors.ts'
import type { ObjectPublic } from './commands/read-public.ts'
import { RC, rcBase } from './response-code.ts'
import type { Tpm } from './tpm.ts'

/** ReadPublic, or undefined when nothing is persisted at `handle`. */
export function readPersistent(tpm: Tpm, handle: number): Promise<ObjectPublic | undefined> {
  return unlessNoHandle(() => tpm.readPublic(handle))
}

/** `f`'s result, or undefined when the TPM answers TPM_RC_HANDLE (nothing at that handle). */
export async function unlessNoHandle<T>(f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await f()
  } catch (e) {
    if (
      isAegisError(e) &&
      e.code === 'ERR_TPM_RESPONSE' &&
      rcBase(Number(e.detail?.rc)) === RC.HANDLE
    ) {
      return undefined
    }
    throw e
  }
}
