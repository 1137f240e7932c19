/**
 * PEM decoding of certificates (RFC 7468 §5, "CERTIFICATE" label): one certificate, or every
 * certificate in a bundle, as DER bytes. Tolerates text between blocks (openssl's "subject=..."
 * lines) and CRLF; the base64 inside a block must be strict (standard alphabet, correct padding).
 * Blocks with other labels (keys, CRLs) are skipped in a bundle. Failures are ERR_CERT_MALFORMED.
 * Leaves out the legacy RFC 1421 headers inside a block.
 */
import { fromB64url } from '../bytes/encoding.ts'
import { AegisError } from '../errors.ts'

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END ([A-Z0-9 ]+)-----/g

function base64(body: string): Uint8Array {
  const s = body.replace(/[\r\n\t ]/g, '')
  const m = /^([A-Za-z0-9+/]*)(={0,2})$/.exec(s)
  if (!m || s.length % 4 !== 0 || s.length === 0) {
    throw new AegisError('ERR_CERT_MALFORMED', 'PEM block is not valid base64')
  }
  try {
    return fromB64url(m[1]!.replace(/\+/g, '-').replace(/\//g, '_'), 'PEM body')
  } catch (e) {
    throw new AegisError('ERR_CERT_MALFORMED', 'PEM block is not valid base64', { cause: e })
  }
}

/** Every CERTIFICATE block in `text`, in order. Text without any is ERR_CERT_MALFORMED. */
export function parsePemBundle(text: string): Uint8Array[] {
  if (typeof text !== 'string') throw new AegisError('ERR_CERT_MALFORMED', 'PEM input is not text')
  const out: Uint8Array[] = []
  for (const m of text.matchAll(BLOCK)) {
    if (m[1] !== m[3]) throw new AegisError('ERR_CERT_MALFORMED', 'PEM BEGIN/END labels differ')
    if (m[1] === 'CERTIFICATE') out.push(base64(m[2]!))
  }
  if (out.length === 0) throw new AegisError('ERR_CERT_MALFORMED', 'no PEM CERTIFICATE block found')
  return out
}

/** Exactly one CERTIFICATE block. */
export function pemToDer(text: string): Uint8Array {
  const all = parsePemBundle(text)
  if (all.length !== 1) {
    throw new AegisError('ERR_CERT_MALFORMED', `expected one PEM certificate, found ${all.length}`)
  }
  return all[0]!
}
