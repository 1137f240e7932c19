/**
 * X.501 Name (RFC 5280 §4.1.2.4) to a readable string per RFC 4514: RDNs last-to-first, joined
 * with ",", multi-valued RDNs with "+", known attribute types by short name and others as dotted
 * OIDs, string values escaped, non-string values as "#" + hex of their DER. Also collects the
 * attribute (type, value) pairs for callers that look up specific attributes (the TCG SAN).
 * Matching never uses this string: names are compared by namesEqual (RFC 5280 §7.1).
 */
import { toHex } from '../bytes/encoding.ts'
import { ATTRIBUTE_NAMES } from './oids.ts'
import { bytesEqual } from '../bytes/encoding.ts'
import { type Node, decodeDer, malformed, oid, raw, sequence, set, string } from './der.ts'

export interface NameAttribute {
  type: string
  /** The value as text, or undefined when it is not a character string. */
  text: string | undefined
  der: Uint8Array
}

/** RDNSequence -> RDNs, each a list of attributes. */
export function readName(n: Node, what: string): NameAttribute[][] {
  return sequence(n, what).map((rdn) => {
    const avas = set(rdn, what)
    if (avas.length === 0) throw malformed(`${what} (empty RDN)`)
    return avas.map((ava) => {
      const [t, v, ...rest] = sequence(ava, what)
      if (!v || rest.length) throw malformed(what)
      const type = oid(t, what)
      let text: string | undefined
      try {
        text = string(v, what)
      } catch {
        text = undefined
      }
      return { type, text, der: raw(v) }
    })
  })
}

function escape(s: string): string {
  let out = s
    .replace(/[\\,+"<>;=]/g, (c) => '\\' + c)
    // eslint-disable-next-line no-control-regex -- escaping control characters is the point
    .replace(/[\u0000-\u001f\u007f]/g, (c) => '\\' + c.charCodeAt(0).toString(16).padStart(2, '0'))
  if (out.startsWith('#') || out.startsWith(' ')) out = '\\' + out
  if (out.endsWith(' ') && out.length > 1) out = out.slice(0, -1) + '\\ '
  return out
}

export function nameToString(rdns: NameAttribute[][]): string {
  return rdns
    .slice()
    .reverse()
    .map((rdn) =>
      rdn
        .map((a) => {
          const key = ATTRIBUTE_NAMES[a.type] ?? a.type
          return key + '=' + (a.text !== undefined ? escape(a.text) : '#' + toHex(a.der))
        })
        .join('+'),
    )
    .join(',')
}

/** RFC 4518-style caseIgnoreMatch, simplified: trim, collapse inner spaces, fold case (NFKC). */
function normalize(t: string): string {
  return t.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase()
}

function avaEqual(a: NameAttribute, b: NameAttribute): boolean {
  if (a.type !== b.type) return false
  if (a.text !== undefined && b.text !== undefined) return normalize(a.text) === normalize(b.text)
  return bytesEqual(a.der, b.der)
}

/** Two RDNs hold the same attribute values, in any order (a SET). */
export function rdnEqual(a: NameAttribute[], b: NameAttribute[]): boolean {
  return a.length === b.length && a.every((x) => b.some((y) => avaEqual(x, y)))
}

// Canonical forms by name bytes: path building compares each candidate issuer's name, often many
// times over the same certificates; a WeakMap keeps this bounded by the certificates alive.
const keys = new WeakMap<Uint8Array, string | null>()

/** A canonical string for a Name: RDNs in order, each RDN's values sorted, strings normalised. */
function nameKey(raw: Uint8Array): string | null {
  let k = keys.get(raw)
  if (k !== undefined) return k
  try {
    k = readName(decodeDer(raw, 'name'), 'name')
      .map((rdn) =>
        rdn
          .map(
            (a) =>
              `${a.type}=${a.text !== undefined ? 's:' + normalize(a.text) : 'h:' + toHex(a.der)}`,
          )
          .sort()
          .join('+'),
      )
      .join(',')
  } catch {
    k = null
  }
  keys.set(raw, k)
  return k
}

/**
 * Name equality per RFC 5280 §7.1: same DER, or the same RDNs where character-string values
 * compare after normalising case and spaces, whatever string type encodes them (CAs re-encode
 * their own names: STMicro's "STM TPM ECC Root CA 01" is PrintableString in the root and
 * UTF8String in the issuer field of some of its intermediates). Other values compare as DER.
 */
export function namesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (bytesEqual(a, b)) return true
  const ka = nameKey(a)
  return ka !== null && ka === nameKey(b)
}
