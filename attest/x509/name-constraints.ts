/**
 * Name constraints along a path (RFC 5280 §4.2.1.10, §6.1.3 (b)-(c), §6.1.4 (g)). Each CA's
 * permitted and excluded subtrees apply to every certificate below it; self-issued intermediates
 * are exempt, the leaf never is. Names checked: the subject DN and the subjectAltName entries.
 * Forms compared: directoryName (RDN prefix, each RDN compared with the §7.1 string matching of
 * name.ts), dNSName and rfc822Name (case-insensitive, §4.2.1.10 subdomain and host forms)
 * and iPAddress (address/mask). A constraint of another form is not understood: a certificate
 * holding a name of that form is refused (§4.2.1.10 "MUST be able to process" or reject).
 * The TCG EK profile puts the TPM identity in a SAN directoryName, so EK leaves are checked
 * against directoryName constraints through it. Failures are ERR_CERT_NAME_CONSTRAINTS.
 */
import { bytesEqual } from '../bytes/encoding.ts'
import { AegisError } from '../errors.ts'
import { decodeDer, raw, sequence } from './der.ts'
import type { Certificate, GeneralName, NameConstraints } from './types.ts'

const UNDERSTOOD_FORMS = new Set([1, 2, 4, 7])

function ascii(b: Uint8Array): string {
  return String.fromCharCode(...b).toLowerCase()
}

function dnsMatches(name: string, base: string): boolean {
  if (base === '') return true
  const b = base.startsWith('.') ? base.slice(1) : base
  return name === b || name.endsWith('.' + b)
}

function emailMatches(name: string, base: string): boolean {
  const at = name.lastIndexOf('@')
  const host = name.slice(at + 1)
  if (base.includes('@')) return name === base
  if (base.startsWith('.')) return host.endsWith(base)
  return host === base
}

function ipMatches(addr: Uint8Array, base: Uint8Array): boolean {
  const len = base.length / 2
  if (addr.length !== len) return false
  for (let k = 0; k < len; k++) {
    if ((addr[k]! & base[len + k]!) !== (base[k]! & base[len + k]!)) return false
  }
  return true
}

/** Does `name` lie in the subtree `base` (same form assumed)? */
function within(name: GeneralName, base: GeneralName): boolean {
  switch (base.tag) {
    case 4: {
      const b = base.rdns!
      const r = name.rdns!
      return b.length <= r.length && b.every((x, k) => bytesEqual(x, r[k]!))
    }
    case 2:
      return dnsMatches(ascii(name.bytes), ascii(base.bytes))
    case 1:
      return emailMatches(ascii(name.bytes), ascii(base.bytes))
    case 7:
      return ipMatches(name.bytes, base.bytes)
    default:
      return false
  }
}

function fail(c: Certificate, why: string): AegisError {
  return new AegisError('ERR_CERT_NAME_CONSTRAINTS', `certificate "${c.subject}": ${why}`, {
    detail: { subject: c.subject, serial: c.serial },
  })
}

/** The names of `c` that name constraints apply to. */
function namesOf(c: Certificate): GeneralName[] {
  const subjectRdns = sequence(decodeDer(c.subjectRaw, 'subject'), 'subject').map(raw)
  const out: GeneralName[] = []
  if (subjectRdns.length > 0) out.push({ tag: 4, bytes: c.subjectRaw, rdns: subjectRdns })
  return out.concat(c.subjectAltNames ?? [])
}

/** Checks `c` against the constraints of every CA above it (`constraints`, anchor side first). */
export function checkNameConstraints(c: Certificate, constraints: NameConstraints[]): void {
  if (constraints.length === 0) return
  const names = namesOf(c)
  for (const nc of constraints) {
    const forms = new Set([...(nc.permitted ?? []), ...(nc.excluded ?? [])].map((s) => s.base.tag))
    for (const name of names) {
      if (!forms.has(name.tag)) continue
      if (!UNDERSTOOD_FORMS.has(name.tag)) {
        throw fail(c, `has a GeneralName [${name.tag}] and that form's constraints are unsupported`)
      }
      const excluded = (nc.excluded ?? []).filter((s) => s.base.tag === name.tag)
      if (excluded.some((s) => within(name, s.base))) {
        throw fail(c, `has a name in an excluded subtree`)
      }
      const permitted = (nc.permitted ?? []).filter((s) => s.base.tag === name.tag)
      if (permitted.length > 0 && !permitted.some((s) => within(name, s.base))) {
        throw fail(c, `has a name outside the permitted subtrees`)
      }
    }
  }
}
