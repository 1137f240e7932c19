/**
 * Decoders for the path-processing extensions of RFC 5280: certificatePolicies (§4.2.1.4, policy
 * identifiers only; qualifiers such as CPS URIs and user notices are informational and skipped),
 * policyMappings (§4.2.1.5), policyConstraints (§4.2.1.11), inhibitAnyPolicy (§4.2.1.14),
 * nameConstraints (§4.2.1.10) and the GeneralNames of subjectAltName (§4.2.1.6) that name
 * constraints apply to. What they mean for a path is decided in policy-tree.ts and
 * name-constraints.ts; a value that does not decode is ERR_CERT_MALFORMED.
 */
import {
  type Node,
  children,
  contextPrimitive,
  decodeDer,
  isContext,
  malformed,
  oid,
  raw,
  sequence,
  smallInteger,
} from './der.ts'
import type { GeneralName, GeneralSubtree, NameConstraints, PolicyConstraints } from './types.ts'

export const ANY_POLICY = '2.5.29.32.0'

export function certificatePolicies(v: Uint8Array): string[] {
  const what = 'certificatePolicies'
  const list = sequence(decodeDer(v, what), what)
  if (list.length === 0) throw malformed(`${what} (empty)`)
  const ids = list.map((info) => oid(sequence(info, what)[0], what))
  // §4.2.1.4: a policy identifier MUST NOT appear more than once.
  if (new Set(ids).size !== ids.length) throw malformed(`${what} (repeated policy)`)
  return ids
}

export function policyMappings(v: Uint8Array): { issuer: string; subject: string }[] {
  const what = 'policyMappings'
  const list = sequence(decodeDer(v, what), what)
  if (list.length === 0) throw malformed(`${what} (empty)`)
  return list.map((m) => {
    const [i, s, ...rest] = sequence(m, what)
    if (rest.length) throw malformed(what)
    return { issuer: oid(i, what), subject: oid(s, what) }
  })
}

/** An IMPLICIT context-tagged non-negative INTEGER (SkipCerts, BaseDistance). */
function taggedCount(n: Node, what: string): number {
  const b = contextPrimitive(n, what)
  if (b.length === 0 || b.length > 4 || (b[0]! & 0x80) !== 0) throw malformed(what)
  if (b.length > 1 && b[0] === 0 && (b[1]! & 0x80) === 0) throw malformed(`${what} (not minimal)`)
  return b.reduce((acc, x) => acc * 256 + x, 0)
}

export function policyConstraints(v: Uint8Array): PolicyConstraints {
  const what = 'policyConstraints'
  const f = sequence(decodeDer(v, what), what)
  const out: PolicyConstraints = {}
  let last = -1
  for (const n of f) {
    const tag = [0, 1].find((t) => isContext(n, t, false))
    if (tag === undefined || tag <= last) throw malformed(what)
    last = tag
    if (tag === 0) out.requireExplicitPolicy = taggedCount(n, what)
    else out.inhibitPolicyMapping = taggedCount(n, what)
  }
  // §4.2.1.11: conforming CAs MUST NOT issue an empty policyConstraints.
  if (f.length === 0) throw malformed(`${what} (empty)`)
  return out
}

export function inhibitAnyPolicy(v: Uint8Array): number {
  return smallInteger(decodeDer(v, 'inhibitAnyPolicy'), 'inhibitAnyPolicy')
}

/** One GeneralName (§4.2.1.6). directoryName keeps its RDNs' DER for prefix comparison. */
export function generalName(n: Node, what: string): GeneralName {
  const tag = n.idBlock.tagNumber
  if (n.idBlock.tagClass !== 3) throw malformed(what)
  if (tag === 4) {
    const [name, ...extra] = children(n, what)
    if (!name || extra.length) throw malformed(what)
    return { tag, bytes: raw(name), rdns: sequence(name, what).map(raw) }
  }
  if (tag === 1 || tag === 2 || tag === 6 || tag === 7) {
    return { tag, bytes: contextPrimitive(n, what) }
  }
  return { tag, bytes: raw(n) }
}

export function generalNames(v: Uint8Array, what: string): GeneralName[] {
  const list = sequence(decodeDer(v, what), what)
  if (list.length === 0) throw malformed(`${what} (empty)`)
  return list.map((n) => generalName(n, what))
}

function subtrees(n: Node, what: string): GeneralSubtree[] {
  const list = children(n, what)
  if (list.length === 0) throw malformed(`${what} (empty subtrees)`)
  return list.map((st) => {
    const [base, ...rest] = sequence(st, what)
    if (!base) throw malformed(what)
    // §4.2.1.10: minimum MUST be zero and maximum MUST be absent.
    for (const r of rest) {
      if (!isContext(r, 0, false) || taggedCount(r, what) !== 0) {
        throw malformed(`${what} (minimum/maximum)`)
      }
    }
    return { base: generalName(base, what) }
  })
}

export function nameConstraints(v: Uint8Array): NameConstraints {
  const what = 'nameConstraints'
  const f = sequence(decodeDer(v, what), what)
  const out: NameConstraints = {}
  let last = -1
  for (const n of f) {
    const tag = [0, 1].find((t) => isContext(n, t, true))
    if (tag === undefined || tag <= last) throw malformed(what)
    last = tag
    if (tag === 0) out.permitted = subtrees(n, what)
    else out.excluded = subtrees(n, what)
  }
  if (f.length === 0) throw malformed(`${what} (empty)`)
  return out
}
