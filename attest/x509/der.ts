/**
 * The boundary between asn1js and the X.509 code: decode bytes as one DER element and read typed
 * values out of the tree. Everything asn1js reports (errors, BER-only forms it tolerates) becomes
 * ERR_CERT_MALFORMED, with the asn1js failure kept as `cause`. On top of asn1js this enforces the
 * DER rules that matter for certificates (X.690 §10-11): definite, minimal lengths; no
 * constructed strings; BOOLEAN as 00/FF; minimal INTEGERs; nothing after the element.
 * Leaves out DER's SET OF ordering and canonical string checks (signatures cover the raw bytes, so
 * they cannot be abused to change what a signature means).
 */
import * as asn1js from 'asn1js'
import { AegisError } from '../errors.ts'

export type Node = asn1js.BaseBlock

const UNIVERSAL = 1
const CONTEXT = 3

// Universal types whose DER encoding is always primitive (X.690 §10.2).
const PRIMITIVE_ONLY = new Set([1, 2, 3, 4, 5, 6, 10, 12, 18, 19, 20, 22, 23, 24, 26, 28, 30])

export function malformed(what: string, cause?: unknown): AegisError {
  return new AegisError(
    'ERR_CERT_MALFORMED',
    `malformed ${what}`,
    cause === undefined ? {} : { cause },
  )
}

/** Decodes exactly one DER element spanning all of `bytes`. */
export function decodeDer(bytes: Uint8Array, what: string): Node {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw malformed(what)
  let res: ReturnType<typeof asn1js.fromBER>
  try {
    // parseEmbedded off: OCTET/BIT STRING contents are decoded only where the profile says so.
    res = asn1js.fromBER(bytes, { parseEmbedded: false, maxDepth: 32, maxNodes: 4096 })
  } catch (e) {
    throw malformed(what, e)
  }
  if (res.offset === -1 || res.result.error) {
    throw malformed(what, new Error(res.result.error || 'asn1js could not decode'))
  }
  if (res.offset !== bytes.length) throw malformed(`${what} (trailing bytes)`)
  checkDer(res.result as Node, what)
  return res.result as Node
}

function checkDer(n: Node, what: string): void {
  const problem =
    n.error ||
    n.idBlock.error ||
    n.lenBlock.error ||
    n.valueBlock.error ||
    (n.idBlock.warnings.length ? n.idBlock.warnings[0] : '') ||
    (n.lenBlock.warnings.length ? n.lenBlock.warnings[0] : '') ||
    (n.lenBlock.isIndefiniteForm ? 'indefinite length' : '') ||
    (n.idBlock.tagClass === UNIVERSAL &&
    n.idBlock.isConstructed &&
    PRIMITIVE_ONLY.has(n.idBlock.tagNumber)
      ? 'constructed encoding of a primitive type'
      : '')
  if (problem) throw malformed(what, new Error(problem))
  const children = (n.valueBlock as { value?: unknown }).value
  if (n.idBlock.isConstructed && Array.isArray(children)) {
    for (const c of children) checkDer(c as Node, what)
  }
}

function is(
  n: Node | undefined,
  tagClass: number,
  tagNumber: number,
  constructed: boolean,
): boolean {
  return (
    n !== undefined &&
    n.idBlock.tagClass === tagClass &&
    n.idBlock.tagNumber === tagNumber &&
    n.idBlock.isConstructed === constructed
  )
}

/** The complete encoding (tag, length, contents) of `n`, copied out of the input. */
export function raw(n: Node): Uint8Array {
  return n.valueBeforeDecodeView.slice()
}

/** The contents octets of a primitive element. */
function contents(n: Node): Uint8Array {
  return (n.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView
}

export function children(n: Node | undefined, what: string): Node[] {
  if (!n || !n.idBlock.isConstructed) throw malformed(what)
  return (n.valueBlock as unknown as { value: Node[] }).value
}

export function sequence(n: Node | undefined, what: string): Node[] {
  if (!is(n, UNIVERSAL, 16, true)) throw malformed(what)
  return children(n, what)
}

export function set(n: Node | undefined, what: string): Node[] {
  if (!is(n, UNIVERSAL, 17, true)) throw malformed(what)
  return children(n, what)
}

export function isContext(n: Node | undefined, tag: number, constructed: boolean): boolean {
  return is(n, CONTEXT, tag, constructed)
}

/** Contents of an IMPLICIT primitive context tag, e.g. [0] KeyIdentifier. */
export function contextPrimitive(n: Node, what: string): Uint8Array {
  if (n.idBlock.tagClass !== CONTEXT || n.idBlock.isConstructed) throw malformed(what)
  return contents(n).slice()
}

/** INTEGER contents as two's-complement big-endian bytes; minimal encoding required. */
export function integerBytes(n: Node | undefined, what: string): Uint8Array {
  if (!is(n, UNIVERSAL, 2, false)) throw malformed(what)
  const v = contents(n!)
  if (v.length === 0) throw malformed(what)
  if (v.length > 1 && ((v[0] === 0 && !(v[1]! & 0x80)) || (v[0] === 0xff && v[1]! & 0x80))) {
    throw malformed(`${what} (non-minimal INTEGER)`)
  }
  return v.slice()
}

/** A non-negative INTEGER as unsigned big-endian bytes (sign octet removed). */
export function unsignedInteger(n: Node | undefined, what: string): Uint8Array {
  const v = integerBytes(n, what)
  if (v[0]! & 0x80) throw malformed(`${what} (negative)`)
  return v[0] === 0 && v.length > 1 ? v.subarray(1) : v
}

/** A small non-negative INTEGER (version, pathLen, saltLength). */
export function smallInteger(n: Node | undefined, what: string): number {
  const v = unsignedInteger(n, what)
  if (v.length > 4) throw malformed(`${what} (too large)`)
  let x = 0
  for (const b of v) x = x * 256 + b
  return x
}

export function oid(n: Node | undefined, what: string): string {
  if (!is(n, UNIVERSAL, 6, false)) throw malformed(what)
  const s = (n as asn1js.ObjectIdentifier).getValue()
  if (!/^\d+(\.\d+)+$/.test(s)) throw malformed(what)
  return s
}

export function boolean(n: Node | undefined, what: string): boolean {
  if (!is(n, UNIVERSAL, 1, false)) throw malformed(what)
  const v = contents(n!)
  if (v.length !== 1 || (v[0] !== 0 && v[0] !== 0xff)) throw malformed(`${what} (non-DER BOOLEAN)`)
  return v[0] === 0xff
}

export function isNull(n: Node | undefined): boolean {
  return is(n, UNIVERSAL, 5, false) && n!.lenBlock.length === 0
}

export function octetString(n: Node | undefined, what: string): Uint8Array {
  if (!is(n, UNIVERSAL, 4, false)) throw malformed(what)
  return contents(n!).slice()
}

/** BIT STRING as bytes plus the count of unused bits in the last byte (which DER requires be 0). */
export function bitString(
  n: Node | undefined,
  what: string,
): { bytes: Uint8Array; unusedBits: number } {
  if (!is(n, UNIVERSAL, 3, false)) throw malformed(what)
  const v = contents(n!)
  const unusedBits = (n as asn1js.BitString).valueBlock.unusedBits
  if (unusedBits > 7 || (v.length === 0 && unusedBits !== 0)) throw malformed(what)
  if (unusedBits && v.length && v[v.length - 1]! & ((1 << unusedBits) - 1)) {
    throw malformed(`${what} (non-zero unused bits)`)
  }
  return { bytes: v.slice(), unusedBits }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

// Written out rather than using TextDecoder: workerd's TextDecoder is not guaranteed to know
// Latin-1 or UTF-16BE.
function latin1(v: Uint8Array): string {
  let s = ''
  for (const b of v) s += String.fromCharCode(b)
  return s
}

function utf16be(v: Uint8Array): string {
  if (v.length % 2) throw new Error('odd BMPString length')
  let s = ''
  for (let i = 0; i < v.length; i += 2) s += String.fromCharCode((v[i]! << 8) | v[i + 1]!)
  return s
}

/** UTCTime / GeneralizedTime restricted to RFC 5280 §4.1.2.5: seconds present, 'Z', no fraction. */
export function time(n: Node | undefined, what: string): Date {
  const utc = is(n, UNIVERSAL, 23, false)
  if (!utc && !is(n, UNIVERSAL, 24, false)) throw malformed(what)
  const s = latin1(contents(n!))
  const m = utc
    ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)
    : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)
  if (!m) throw malformed(`${what} (time format)`)
  let year = Number(m[1])
  if (utc) year += year >= 50 ? 1900 : 2000
  const [mo, d, h, mi, se] = [2, 3, 4, 5, 6].map((i) => Number(m[i]))
  const date = new Date(Date.UTC(year, mo! - 1, d, h, mi, se))
  // Date.UTC maps 0-99 to 1900-1999, and rolls over out-of-range fields; both are rejected here.
  date.setUTCFullYear(year, mo! - 1, d)
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== mo! - 1 ||
    date.getUTCDate() !== d ||
    date.getUTCHours() !== h ||
    date.getUTCMinutes() !== mi ||
    date.getUTCSeconds() !== se
  ) {
    throw malformed(`${what} (time value)`)
  }
  return date
}

/** A DirectoryString or other character string, decoded by its type. */
export function string(n: Node | undefined, what: string): string {
  if (!n || n.idBlock.tagClass !== UNIVERSAL || n.idBlock.isConstructed) throw malformed(what)
  const v = contents(n)
  try {
    switch (n.idBlock.tagNumber) {
      case 12: // UTF8String
        return UTF8.decode(v)
      case 30: // BMPString
        return utf16be(v)
      case 28: {
        // UniversalString: UCS-4 big-endian
        if (v.length % 4) throw new Error('UniversalString length')
        let out = ''
        for (let i = 0; i < v.length; i += 4) {
          out += String.fromCodePoint(
            ((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!) >>> 0,
          )
        }
        return out
      }
      case 18: // NumericString
      case 19: // PrintableString
      case 20: // TeletexString (treated as Latin-1, as most implementations do)
      case 22: // IA5String
      case 26: // VisibleString
        return latin1(v)
      default:
        throw new Error(`not a string type (${n.idBlock.tagNumber})`)
    }
  } catch (e) {
    throw malformed(what, e)
  }
}
