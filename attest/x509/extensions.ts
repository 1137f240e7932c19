/**
 * Certificate extensions (RFC 5280 §4.1.2.9, §4.2.1): the raw list with criticality, plus decoded
 * basicConstraints (§4.2.1.9), keyUsage (§4.2.1.3), extKeyUsage (§4.2.1.12), subject and
 * authority key identifiers (§4.2.1.2, §4.2.1.1; only the keyIdentifier of the latter) and the TCG
 * TPM identity in subjectAltName's directoryName (TCG EK Credential Profile §3.2.9), and the
 * path-processing extensions of policy-extensions.ts (policies, mappings, constraints). A recognised
 * extension that does not decode, or a repeated extension, is ERR_CERT_MALFORMED. Deciding which
 * critical extensions are acceptable is the chain verifier's job, not this parser's.
 */
import {
  type Node,
  bitString,
  boolean,
  children,
  contextPrimitive,
  decodeDer,
  isContext,
  malformed,
  octetString,
  oid,
  sequence,
  smallInteger,
} from './der.ts'
import { readName } from './name.ts'
import {
  certificatePolicies,
  generalNames,
  inhibitAnyPolicy,
  nameConstraints,
  policyConstraints,
  policyMappings,
} from './policy-extensions.ts'
import { OID } from './oids.ts'
import type { CertExtension, Certificate, KeyUsage, TcgDeviceInfo } from './types.ts'

type Decoded = Pick<
  Certificate,
  | 'extensions'
  | 'basicConstraints'
  | 'keyUsage'
  | 'extKeyUsage'
  | 'subjectKeyIdentifier'
  | 'authorityKeyIdentifier'
  | 'tcg'
  | 'policies'
  | 'policyMappings'
  | 'policyConstraints'
  | 'inhibitAnyPolicy'
  | 'nameConstraints'
  | 'subjectAltNames'
>

const KEY_USAGE_BITS: Array<keyof KeyUsage> = [
  'digitalSignature',
  'contentCommitment',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
]

function basicConstraints(v: Uint8Array): { cA: boolean; pathLen?: number } {
  const what = 'basicConstraints'
  const f = sequence(decodeDer(v, what), what)
  let i = 0
  let cA = false
  // DER omits a DEFAULT FALSE value, but real CAs write it; accept both.
  if (f[i] && f[i]!.idBlock.tagNumber === 1) cA = boolean(f[i++], what)
  const pathLen = f[i] ? smallInteger(f[i++], what) : undefined
  if (i !== f.length) throw malformed(what)
  return pathLen === undefined ? { cA } : { cA, pathLen }
}

function keyUsage(v: Uint8Array): KeyUsage {
  const { bytes } = bitString(decodeDer(v, 'keyUsage'), 'keyUsage')
  const out = {} as KeyUsage
  KEY_USAGE_BITS.forEach((name, bit) => {
    out[name] = ((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0
  })
  return out
}

function extKeyUsage(v: Uint8Array): string[] {
  const list = sequence(decodeDer(v, 'extKeyUsage'), 'extKeyUsage').map((n) =>
    oid(n, 'extKeyUsage'),
  )
  if (list.length === 0) throw malformed('extKeyUsage (empty)')
  return list
}

function authorityKeyId(v: Uint8Array): Uint8Array | undefined {
  const f = sequence(decodeDer(v, 'authorityKeyIdentifier'), 'authorityKeyIdentifier')
  const first = f[0]
  return first && isContext(first, 0, false)
    ? contextPrimitive(first, 'authorityKeyIdentifier')
    : undefined
}

function tcgFromSan(v: Uint8Array): TcgDeviceInfo | undefined {
  const what = 'subjectAltName'
  const names = sequence(decodeDer(v, what), what)
  if (names.length === 0) throw malformed(`${what} (empty)`)
  let info: TcgDeviceInfo | undefined
  for (const gn of names) {
    if (!isContext(gn, 4, true)) continue
    const [name, ...extra] = children(gn, what)
    if (!name || extra.length) throw malformed(what)
    for (const rdn of readName(name, what)) {
      for (const a of rdn) {
        const key =
          a.type === OID.tcgManufacturer
            ? 'manufacturer'
            : a.type === OID.tcgModel
              ? 'model'
              : a.type === OID.tcgVersion
                ? 'version'
                : undefined
        if (!key) continue
        if (a.text === undefined) throw malformed(`${what} (TCG attribute is not a string)`)
        info ??= {}
        info[key] = a.text
      }
    }
  }
  return info
}

/** What each understood extension adds to the decoded fields; others are only listed. */
const DECODERS = new Map<string, (v: Uint8Array) => Partial<Decoded>>([
  [OID.basicConstraints, (v) => ({ basicConstraints: basicConstraints(v) })],
  [OID.keyUsage, (v) => ({ keyUsage: keyUsage(v) })],
  [OID.extKeyUsage, (v) => ({ extKeyUsage: extKeyUsage(v) })],
  [
    OID.subjectKeyIdentifier,
    (v) => ({
      subjectKeyIdentifier: octetString(
        decodeDer(v, 'subjectKeyIdentifier'),
        'subjectKeyIdentifier',
      ),
    }),
  ],
  [
    OID.authorityKeyIdentifier,
    (v) => {
      const aki = authorityKeyId(v)
      return aki ? { authorityKeyIdentifier: aki } : {}
    },
  ],
  [
    OID.subjectAltName,
    (v) => {
      const tcg = tcgFromSan(v)
      return { ...(tcg ? { tcg } : {}), subjectAltNames: generalNames(v, 'subjectAltName') }
    },
  ],
  [OID.certificatePolicies, (v) => ({ policies: certificatePolicies(v) })],
  [OID.policyMappings, (v) => ({ policyMappings: policyMappings(v) })],
  [OID.policyConstraints, (v) => ({ policyConstraints: policyConstraints(v) })],
  [OID.inhibitAnyPolicy, (v) => ({ inhibitAnyPolicy: inhibitAnyPolicy(v) })],
  [OID.nameConstraints, (v) => ({ nameConstraints: nameConstraints(v) })],
])

export function readExtensions(n: Node | undefined): Decoded {
  const out: Decoded = { extensions: [] }
  if (n === undefined) return out
  const what = 'extensions'
  const list = sequence(n, what)
  if (list.length === 0) throw malformed(`${what} (empty)`)
  const seen = new Set<string>()
  for (const e of list) {
    const f = sequence(e, what)
    const id = oid(f[0], what)
    let i = 1
    let critical = false
    if (f.length === 3) critical = boolean(f[i++], `${what} critical`)
    const value = octetString(f[i++], `${what} ${id}`)
    if (i !== f.length) throw malformed(what)
    // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
    if (seen.has(id)) throw malformed(`${what} (duplicate ${id})`)
    seen.add(id)
    const ext: CertExtension = { oid: id, critical, value }
    out.extensions.push(ext)
    const decode = DECODERS.get(id)
    if (decode) Object.assign(out, decode(value))
  }
  return out
}
