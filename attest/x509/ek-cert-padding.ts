/**
 * Extracts the certificate DER from the bytes of an EK certificate NV index. Accepted forms:
 *  - the DER alone;
 *  - the DER followed by padding, all 0xFF or all 0x00 (NV indices are often defined larger than
 *    the certificate they hold and are read back whole);
 *  - a TCG header in front: either 0x10 0x01 + u16 length + DER, or the TPM 1.2-era
 *    TCG_PCCLIENT_STORED_CERT wrapper (tag 0x1001, certType 0x00 = full certificate, u16 size,
 *    optionally the TCG_FULL_CERT tag 0x1002) from the TCG PC Client Implementation Specification
 *    for Conventional BIOS, as go-attestation's ParseEKCertificate also unwraps; each optionally
 *    followed by the same padding.
 * The DER's own length octets decide where it ends, so the result is exactly one element; whether
 * that element is a certificate is parseCertificate's job. Anything else is ERR_CERT_MALFORMED.
 */
import { AegisError } from '../errors.ts'

function bad(why: string): AegisError {
  return new AegisError('ERR_CERT_MALFORMED', `EK certificate NV data: ${why}`)
}

/** Total length (header + contents) of the DER SEQUENCE at the start of `b`, or -1. */
function derLength(b: Uint8Array): number {
  if (b.length < 2 || b[0] !== 0x30) return -1
  const first = b[1]!
  if (first < 0x80) return 2 + first
  const count = first & 0x7f
  if (count === 0 || count > 3 || b.length < 2 + count || b[2] === 0) return -1
  let len = 0
  for (let i = 0; i < count; i++) len = len * 256 + b[2 + i]!
  return len < 0x80 ? -1 : 2 + count + len
}

function isPadding(pad: Uint8Array): boolean {
  if (pad.length === 0) return true
  const fill = pad[0]
  if (fill !== 0x00 && fill !== 0xff) return false
  for (let i = 1; i < pad.length; i++) if (pad[i] !== fill) return false
  return true
}

/** The DER inside a TCG header, or undefined when `nv` has no (consistent) header. */
function fromHeader(nv: Uint8Array): Uint8Array | undefined {
  if (nv.length < 6 || nv[0] !== 0x10 || nv[1] !== 0x01) return undefined
  const forms: Array<[start: number, len: number]> = [[4, (nv[2]! << 8) | nv[3]!]]
  if (nv[2] === 0x00) forms.push([5, (nv[3]! << 8) | nv[4]!])
  for (const [start, len] of forms) {
    if (start + len > nv.length || !isPadding(nv.subarray(start + len))) continue
    let body = nv.subarray(start, start + len)
    if (body[0] === 0x10 && body[1] === 0x02) body = body.subarray(2)
    if (derLength(body) === body.length) return body
  }
  return undefined
}

export function stripEkCertPadding(nvBytes: Uint8Array): Uint8Array {
  if (!(nvBytes instanceof Uint8Array)) throw bad('not bytes')
  if (nvBytes[0] !== 0x30) {
    const body = fromHeader(nvBytes)
    if (body) return body
    throw bad(
      nvBytes[0] === 0x10 ? 'inconsistent TCG header' : 'does not start with a DER SEQUENCE',
    )
  }
  const total = derLength(nvBytes)
  if (total < 0) throw bad('bad DER length')
  if (total > nvBytes.length) throw bad('truncated')
  if (!isPadding(nvBytes.subarray(total))) throw bad('trailing bytes are not padding')
  return nvBytes.subarray(0, total)
}

/**
 * The DER elements stored back to back in one NV index (an EK certificate chain index holds one
 * or more certificates, TCG EK Credential Profile v2.5 §2.2.1.5.2), stopping at padding.
 */
export function splitDerSequence(nvBytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = []
  let rest = nvBytes
  while (rest.length > 0 && !(out.length > 0 && isPadding(rest))) {
    const total = derLength(rest)
    if (total < 0 || total > rest.length) throw bad('chain index: bad DER element')
    out.push(rest.subarray(0, total))
    rest = rest.subarray(total)
  }
  if (out.length === 0) throw bad('chain index holds no certificate')
  return out
}
