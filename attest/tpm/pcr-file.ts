/**
 * Strict parser for the PCR file `tpm2_quote -o` writes (tpm2-tools 5.x): not TPM marshalling
 * but a host-endian dump of C structs, read here as little-endian (x86-64 and arm64 hosts):
 *   TPML_PCR_SELECTION  u32 count, 16 x {u16 hash, u8 sizeofSelect, u8 pcrSelect[4], u8 pad}
 *   u32 number of TPML_DIGEST lists that follow (at most 32)
 *   TPML_DIGEST x n     u32 count, 8 x {u16 size, u8 buffer[64]}
 * The digests, flattened, are the selected PCR values in selection order (bank by bank, PCR
 * index ascending). Every unused slot, pad byte and buffer tail must be zero and the length exact,
 * so a file either decodes to one meaning or is ERR_TPM_MALFORMED. Leaves out big-endian hosts.
 * Layout checked on this machine's tpm2-tools 5.4 (shared/notes/tpm-on-swtpm.md).
 */
import { AegisError } from '../errors.ts'
import { digestLength, hashAlgFromTpm } from '../crypto/hash.ts'
import { MAX_DIGESTS_IN_LIST, MAX_PCR_BANKS, PCR_SELECT_MAX, PCR_SELECT_MIN } from './constants.ts'
import { pcrSelectionFromBitmap } from './pcr-selection.ts'
import type { PcrSelection, PcrValues } from './types.ts'

export const PCR_FILE = {
  selectionEntryBytes: 8,
  selectionBytes: 4 + MAX_PCR_BANKS * 8,
  digestEntryBytes: 2 + 64,
  digestListBytes: 4 + MAX_DIGESTS_IN_LIST * (2 + 64),
  /** tpm2_pcrs.pcr_values has TPM2_MAX_PCRS entries. */
  maxLists: 32,
} as const

export interface PcrFile {
  selection: PcrSelection[]
  values: PcrValues
}

export function parseTpm2ToolsPcrFile(bytes: Uint8Array): PcrFile {
  const bad = (why: string): never => {
    throw new AegisError('ERR_TPM_MALFORMED', `tpm2-tools PCR file: ${why}`)
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const zero = (from: number, to: number, what: string) => {
    for (let i = from; i < to; i++) if (bytes[i] !== 0) bad(`non-zero ${what} at ${i}`)
  }
  if (bytes.length < PCR_FILE.selectionBytes + 4) bad('truncated')

  const banks = dv.getUint32(0, true)
  if (banks > MAX_PCR_BANKS) bad(`${banks} banks`)
  const selection: PcrSelection[] = []
  for (let i = 0; i < MAX_PCR_BANKS; i++) {
    const at = 4 + i * PCR_FILE.selectionEntryBytes
    if (i >= banks) {
      zero(at, at + PCR_FILE.selectionEntryBytes, 'unused selection')
      continue
    }
    const hashAlg = hashAlgFromTpm(dv.getUint16(at, true))
    const size = bytes[at + 2]!
    if (size < PCR_SELECT_MIN || size > PCR_SELECT_MAX) bad(`sizeofSelect ${size}`)
    zero(at + 3 + size, at + PCR_FILE.selectionEntryBytes, 'selection tail')
    selection.push(pcrSelectionFromBitmap(hashAlg, bytes.subarray(at + 3, at + 3 + size)))
  }

  const lists = dv.getUint32(PCR_FILE.selectionBytes, true)
  if (lists > PCR_FILE.maxLists) bad(`${lists} digest lists`)
  const start = PCR_FILE.selectionBytes + 4
  if (bytes.length !== start + lists * PCR_FILE.digestListBytes) bad('length does not match')
  const digests: Uint8Array[] = []
  for (let l = 0; l < lists; l++) {
    const at = start + l * PCR_FILE.digestListBytes
    const count = dv.getUint32(at, true)
    if (count > MAX_DIGESTS_IN_LIST) bad(`${count} digests in a list`)
    for (let d = 0; d < MAX_DIGESTS_IN_LIST; d++) {
      const e = at + 4 + d * PCR_FILE.digestEntryBytes
      const end = e + PCR_FILE.digestEntryBytes
      if (d >= count) {
        zero(e, end, 'unused digest')
        continue
      }
      const size = dv.getUint16(e, true)
      if (size > 64) bad(`digest size ${size}`)
      zero(e + 2 + size, end, 'digest tail')
      digests.push(bytes.slice(e + 2, e + 2 + size))
    }
  }

  const values: PcrValues = {}
  let next = 0
  for (const s of selection) {
    const bank = (values[s.hashAlg] ??= {})
    for (const pcr of s.pcrs) {
      const v = digests[next++]
      if (!v) bad('fewer digests than selected PCRs')
      if (v!.length !== digestLength(s.hashAlg))
        bad(`PCR ${pcr} value is not a ${s.hashAlg} digest`)
      if (bank[pcr]) bad(`${s.hashAlg} PCR ${pcr} selected twice`)
      bank[pcr] = v!
    }
  }
  if (next !== digests.length) bad('more digests than selected PCRs')
  return { selection, values }
}
