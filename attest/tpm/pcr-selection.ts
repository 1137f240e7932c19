/**
 * Strict parser for TPML_PCR_SELECTION: at most 16 banks, each a supported hash and a 3..4 byte
 * bitmap, decoded to ascending PCR indices. Banks keep their order (it fixes the order of the
 * values hashed into a quote's pcrDigest); empty bitmaps are kept too.
 * Leaves out PCR_SELECT_MAX > 4 (TPMs with more than 32 PCRs).
 * Follows TPM 2.0 Part 2 §10.6.2 TPMS_PCR_SELECTION, §10.9.7 TPML_PCR_SELECTION.
 */
import { AegisError } from '../errors.ts'
import { ByteReader } from '../bytes/reader.ts'
import { hashAlgFromTpm } from '../crypto/hash.ts'
import { MAX_PCR_BANKS, PCR_SELECT_MAX, PCR_SELECT_MIN } from './constants.ts'
import type { PcrSelection } from './types.ts'

export function parseTpmlPcrSelection(bytes: Uint8Array): PcrSelection[] {
  const r = new ByteReader(bytes, 'TPML_PCR_SELECTION')
  const sel = readTpmlPcrSelection(r)
  r.end()
  return sel
}

export function readTpmlPcrSelection(r: ByteReader): PcrSelection[] {
  const count = r.u32()
  if (count > MAX_PCR_BANKS) {
    throw new AegisError('ERR_TPM_MALFORMED', `TPML_PCR_SELECTION: ${count} banks`)
  }
  const out: PcrSelection[] = []
  for (let i = 0; i < count; i++) {
    const hashAlg = hashAlgFromTpm(r.u16())
    const size = r.u8()
    if (size < PCR_SELECT_MIN || size > PCR_SELECT_MAX) {
      throw new AegisError('ERR_TPM_MALFORMED', `TPMS_PCR_SELECTION: sizeofSelect ${size}`)
    }
    out.push(pcrSelectionFromBitmap(hashAlg, r.bytes(size)))
  }
  return out
}

/** Bit i of byte i/8 (LSB first) selects PCR i. */
export function pcrSelectionFromBitmap(
  hashAlg: PcrSelection['hashAlg'],
  bitmap: Uint8Array,
): PcrSelection {
  const pcrs: number[] = []
  for (let i = 0; i < bitmap.length * 8; i++) if (bitmap[i >> 3]! & (1 << (i & 7))) pcrs.push(i)
  const sel: PcrSelection = { hashAlg, pcrs }
  if (bitmap.length !== minimalSelectSize(pcrs)) sel.sizeofSelect = bitmap.length
  return sel
}

/** The bitmap size a TPM with 24 PCRs uses, grown only when a higher PCR is selected. */
export function minimalSelectSize(pcrs: readonly number[]): number {
  let max = -1
  for (const p of pcrs) if (p > max) max = p
  return Math.max(PCR_SELECT_MIN, (max >> 3) + 1)
}
