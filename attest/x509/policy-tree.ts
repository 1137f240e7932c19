/**
 * Certificate policy processing of RFC 5280 §6.1 for one path: the valid_policy_tree (§6.1.2 (a)),
 * the per-certificate steps §6.1.3 (d)-(f), the preparation steps §6.1.4 (a), (b), (h), (i), (j)
 * and the wrap-up §6.1.5 (a), (b), (g). Inputs fixed by Aegis Edge: user-initial-policy-set =
 * {anyPolicy}, initial-policy-mapping-inhibit, initial-explicit-policy and
 * initial-any-policy-inhibit all false, so a path with no policies at all is fine unless a CA in
 * it asks for explicit policy (requireExplicitPolicy). Failures are ERR_CERT_POLICY. Qualifiers
 * are not kept (§4.2.1.4 lets a relying party ignore them).
 */
import { AegisError } from '../errors.ts'
import { ANY_POLICY } from './policy-extensions.ts'
import type { Certificate } from './types.ts'

interface PolicyNode {
  policy: string
  expected: Set<string>
  parent: PolicyNode | undefined
  children: PolicyNode[]
}

function fail(c: Certificate, why: string): AegisError {
  return new AegisError('ERR_CERT_POLICY', `certificate "${c.subject}": ${why}`, {
    detail: { subject: c.subject, serial: c.serial },
  })
}

function child(parent: PolicyNode, policy: string, expected: Set<string>): PolicyNode {
  const n: PolicyNode = { policy, expected, parent, children: [] }
  parent.children.push(n)
  return n
}

/** Removes childless nodes above the deepest level, bottom up (§6.1.3 (d)(3)). */
function prune(levels: PolicyNode[][], depth: number): void {
  for (let d = depth - 1; d >= 0; d--) {
    const keep = levels[d]!.filter((n) => n.children.length > 0)
    for (const n of levels[d]!) {
      if (n.children.length === 0 && n.parent) {
        n.parent.children = n.parent.children.filter((x) => x !== n)
      }
    }
    levels[d] = keep
  }
}

export class PolicyState {
  /** levels[d] = the nodes of depth d; undefined once the tree is NULL. */
  private levels: PolicyNode[][] | undefined
  private explicitPolicy: number
  private policyMapping: number
  private inhibitAny: number

  /** `n`: certificates in the path, trust anchor excluded. */
  constructor(private readonly n: number) {
    const root: PolicyNode = {
      policy: ANY_POLICY,
      expected: new Set([ANY_POLICY]),
      parent: undefined,
      children: [],
    }
    this.levels = [[root]]
    this.explicitPolicy = n + 1
    this.policyMapping = n + 1
    this.inhibitAny = n + 1
  }

  /** §6.1.3 (d)-(f) for certificate i (1-based from the anchor's subject down to the leaf). */
  process(c: Certificate, i: number, selfIssued: boolean): void {
    const levels = this.levels
    if (levels && c.policies) {
      const above = levels[i - 1]!
      const here: PolicyNode[] = []
      for (const p of c.policies) {
        if (p === ANY_POLICY) continue
        const matching = above.filter((x) => x.expected.has(p))
        const parents = matching.length ? matching : above.filter((x) => x.policy === ANY_POLICY)
        for (const par of parents) here.push(child(par, p, new Set([p])))
      }
      const anyAllowed = this.inhibitAny > 0 || (i < this.n && selfIssued)
      if (c.policies.includes(ANY_POLICY) && anyAllowed) {
        for (const par of above) {
          for (const e of par.expected) {
            if (!par.children.some((x) => x.policy === e)) here.push(child(par, e, new Set([e])))
          }
        }
      }
      levels[i] = here
      prune(levels, i)
      if (here.length === 0) this.levels = undefined
    } else {
      this.levels = undefined
    }
    if (this.explicitPolicy === 0 && !this.levels) {
      throw fail(c, 'no acceptable certificate policy although the path requires explicit policy')
    }
  }

  /** §6.1.4 (a), (b), (h)-(j): after certificate i, before certificate i + 1. */
  prepare(c: Certificate, i: number, selfIssued: boolean): void {
    if (c.policyMappings) this.map(c, i)
    if (!selfIssued) {
      if (this.explicitPolicy > 0) this.explicitPolicy--
      if (this.policyMapping > 0) this.policyMapping--
      if (this.inhibitAny > 0) this.inhibitAny--
    }
    const pc = c.policyConstraints
    if (pc?.requireExplicitPolicy !== undefined) {
      this.explicitPolicy = Math.min(this.explicitPolicy, pc.requireExplicitPolicy)
    }
    if (pc?.inhibitPolicyMapping !== undefined) {
      this.policyMapping = Math.min(this.policyMapping, pc.inhibitPolicyMapping)
    }
    if (c.inhibitAnyPolicy !== undefined) {
      this.inhibitAny = Math.min(this.inhibitAny, c.inhibitAnyPolicy)
    }
  }

  private map(c: Certificate, i: number): void {
    const maps = c.policyMappings!
    if (maps.some((m) => m.issuer === ANY_POLICY || m.subject === ANY_POLICY)) {
      throw fail(c, 'maps anyPolicy (RFC 5280 §6.1.4 (a))')
    }
    const levels = this.levels
    if (!levels) return
    const issuers = [...new Set(maps.map((m) => m.issuer))]
    for (const idp of issuers) {
      const targets = new Set(maps.filter((m) => m.issuer === idp).map((m) => m.subject))
      const nodes = levels[i]!.filter((x) => x.policy === idp)
      if (this.policyMapping > 0) {
        for (const x of nodes) x.expected = targets
        const anyNode = levels[i]!.find((x) => x.policy === ANY_POLICY)
        if (nodes.length === 0 && anyNode?.parent) {
          levels[i]!.push(child(anyNode.parent, idp, targets))
        }
      } else {
        for (const x of nodes) {
          x.parent!.children = x.parent!.children.filter((y) => y !== x)
        }
        levels[i] = levels[i]!.filter((x) => !nodes.includes(x))
        prune(levels, i)
        if (levels[i]!.length === 0) this.levels = undefined
      }
    }
  }

  /** §6.1.5 (a), (b), (g) with user-initial-policy-set = {anyPolicy}; `leaf` is certificate n. */
  finish(leaf: Certificate): string[] {
    if (this.explicitPolicy > 0) this.explicitPolicy--
    if (leaf.policyConstraints?.requireExplicitPolicy === 0) this.explicitPolicy = 0
    if (this.explicitPolicy === 0 && !this.levels) {
      throw fail(
        leaf,
        'no acceptable certificate policy although the path requires explicit policy',
      )
    }
    return this.levels ? [...new Set(this.levels[this.n]!.map((x) => x.policy))] : []
  }
}
