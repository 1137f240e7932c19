/**
 * EFI_SIGNATURE_LIST parsing (UEFI 2.10 §32.4.1), the content of PK, KEK, db and dbx: lists of
 * SignatureSize-byte entries (owner GUID + data) of one type. Typed entries are X.509 certificates
 * (referenced by the SHA-256 of their DER) and SHA-256 image hashes; other types are kept by GUID.
 * Every size is checked against what is left, and the header and entry sizes must tile the list.
 */
import { toHex } from '../bytes/encoding.ts'
import { digest } from '../crypto/hash.ts'
import { AegisError } from '../errors.ts'
import { formatGuid } from './guid.ts'
import { ByteReader } from '../bytes/reader.ts'

export const EFI_CERT_X509_GUID = 'a5c059a1-94e4-4aa7-87b5-ab155c2bf072'
export const EFI_CERT_SHA256_GUID = 'c1c41626-504c-4092-aca9-41f936934328'

export interface EfiSignature {
  owner: string
  type: 'x509' | 'sha256' | 'other'
  /** x509: hex SHA-256 of the certificate DER; sha256: the listed hash; other: hex of the data. */
  ref: string
  data: Uint8Array
}

export interface EfiSignatureList {
  type: string
  signatures: EfiSignature[]
}

export function parseSignatureLists(data: Uint8Array): EfiSignatureList[] {
  const r = new ByteReader(data, 'EFI_SIGNATURE_LIST', {
    code: 'ERR_EVENTLOG_EVENT_DATA',
    littleEndian: true,
  })
  const lists: EfiSignatureList[] = []
  while (r.remaining > 0) {
    const type = formatGuid(r.bytes(16))
    const listSize = r.u32()
    const headerSize = r.u32()
    const sigSize = r.u32()
    const body = listSize - 28 - headerSize
    if (listSize < 28 || body < 0 || sigSize < 16 || body % sigSize !== 0) {
      throw new AegisError(
        'ERR_EVENTLOG_EVENT_DATA',
        `EFI_SIGNATURE_LIST sizes ${listSize}/${headerSize}/${sigSize} do not tile`,
      )
    }
    r.bytes(headerSize)
    const signatures: EfiSignature[] = []
    for (let i = 0; i < body / sigSize; i++) signatures.push(signature(type, r.bytes(sigSize)))
    lists.push({ type, signatures })
  }
  return lists
}

function signature(listType: string, b: Uint8Array): EfiSignature {
  const owner = formatGuid(b.subarray(0, 16))
  const data = b.subarray(16)
  if (listType === EFI_CERT_X509_GUID)
    return { owner, type: 'x509', ref: toHex(digest('sha256', data)), data }
  if (listType === EFI_CERT_SHA256_GUID) {
    if (data.length !== 32)
      throw new AegisError('ERR_EVENTLOG_EVENT_DATA', `SHA-256 signature of ${data.length} bytes`)
    return { owner, type: 'sha256', ref: toHex(data), data }
  }
  return { owner, type: 'other', ref: toHex(data), data }
}
