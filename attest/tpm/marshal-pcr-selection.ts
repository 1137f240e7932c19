/**
 * Marshals PcrSelection[] as TPML_PCR_SELECTION; the inverse of parseTpmlPcrSelection, byte for
 * byte (a non-minimal bitmap size survives through `sizeofSelect`).
 * Follows TPM 2.0 Part 2 §10.6.2 TPMS_PCR_SELECTION, §10.9.7 TPML_PCR_SELECTION.
 */
import { AegisError } from '../errors.ts'
import { ByteWriter } from '../bytes/writer.ts'
import { tpmAlgOfHash } from '../crypto/hash.ts'
import { PCR_SELECT_MAX, PCR_SELECT_MIN } from './constants.ts'
import { minimalSelectSize } from './pcr-selection.ts'
import type { PcrSelection } from './types.ts'

export function marshalTpmlPcrSelection(sel: readonly PcrSelection[]): Uint8Array {
  const w = new ByteWriter()
  writeTpmlPcrSelection(w, sel)
  return w.finish()
}

export function writeTpmlPcrSelection(w: ByteWriter, sel: readonly PcrSelection[]): void {
  w.u32(sel.length)
  for (const s of sel) {
    const bitmap = pcrBitmap(s)
    w.u16(tpmAlgOfHash(s.hashAlg)).u8(bitmap.length).bytes(bitmap)
  }
}

export function pcrBitmap(s: PcrSelection): Uint8Array {
  const size = s.sizeofSelect ?? minimalSelectSize(s.pcrs)
  if (size < PCR_SELECT_MIN || size > PCR_SELECT_MAX) {
    throw new AegisError('ERR_TPM_MALFORMED', `a ${size}-byte PCR selection cannot be marshalled`)
  }
  const bitmap = new Uint8Array(size)
  for (const p of s.pcrs) {
    if (!Number.isInteger(p) || p < 0 || p >= size * 8) {
      throw new AegisError('ERR_TPM_MALFORMED', `PCR ${p} does not fit a ${size}-byte selection`)
    }
    bitmap[p >> 3] |= 1 << (p & 7)
  }
  return bitmap
}
