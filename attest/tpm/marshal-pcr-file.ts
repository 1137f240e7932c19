/**
 * Writes a tpm2-tools PCR file (the `tpm2_quote -o` layout, little-endian; see pcr-file.ts) from a
 * selection and its values, packing 8 digests per TPML_DIGEST as tpm2-tools does with a TPM that
 * returns 8 per TPM2_PCR_Read. Tests use it to build tampered files for the CLI.
 * Leaves out other packings: files that use them parse, but re-marshal differently.
 */
import { AegisError } from '../errors.ts'
import { tpmAlgOfHash } from '../crypto/hash.ts'
import { MAX_DIGESTS_IN_LIST, MAX_PCR_BANKS } from './constants.ts'
import { pcrBitmap } from './marshal-pcr-selection.ts'
import { PCR_FILE, type PcrFile } from './pcr-file.ts'

export function marshalTpm2ToolsPcrFile(file: PcrFile): Uint8Array {
  const { selection, values } = file
  if (selection.length > MAX_PCR_BANKS) {
    throw new AegisError('ERR_TPM_MALFORMED', 'PCR file: too many banks')
  }
  const digests: Uint8Array[] = []
  for (const s of selection) {
    for (const pcr of s.pcrs) {
      const v = values[s.hashAlg]?.[pcr]
      if (!v || v.length > 64) {
        throw new AegisError('ERR_TPM_MALFORMED', `PCR file: no usable ${s.hashAlg} PCR ${pcr}`)
      }
      digests.push(v)
    }
  }
  const lists = Math.ceil(digests.length / MAX_DIGESTS_IN_LIST)
  if (lists > PCR_FILE.maxLists) throw new AegisError('ERR_TPM_MALFORMED', 'PCR file: too many')
  const start = PCR_FILE.selectionBytes + 4
  const out = new Uint8Array(start + lists * PCR_FILE.digestListBytes)
  const dv = new DataView(out.buffer)
  dv.setUint32(0, selection.length, true)
  selection.forEach((s, i) => {
    const at = 4 + i * PCR_FILE.selectionEntryBytes
    const bitmap = pcrBitmap(s)
    dv.setUint16(at, tpmAlgOfHash(s.hashAlg), true)
    out[at + 2] = bitmap.length
    out.set(bitmap, at + 3)
  })
  dv.setUint32(PCR_FILE.selectionBytes, lists, true)
  for (let l = 0; l < lists; l++) {
    const list = start + l * PCR_FILE.digestListBytes
    const chunk = digests.slice(l * MAX_DIGESTS_IN_LIST, (l + 1) * MAX_DIGESTS_IN_LIST)
    dv.setUint32(list, chunk.length, true)
    chunk.forEach((d, i) => {
      const e = list + 4 + i * PCR_FILE.digestEntryBytes
      dv.setUint16(e, d.length, true)
      out.set(d, e + 2)
    })
  }
  return out
}
