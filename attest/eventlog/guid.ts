/** EFI_GUID in its registry form: the first three fields are little-endian (UEFI 2.10 App. A). */
import { toHex } from '../bytes/encoding.ts'

export function formatGuid(b: Uint8Array): string {
  const h = toHex(b)
  const le = (s: string) => s.match(/../g)!.reverse().join('')
  return `${le(h.slice(0, 8))}-${le(h.slice(8, 12))}-${le(h.slice(12, 16))}-${h.slice(16, 20)}-${h.slice(20)}`
}
