/**
 * Which binding holds a jurisdiction's data (docs/sovereignty.md, wrangler.toml):
 *  - ledgers: AGENT_LEDGER.jurisdiction(j), a Durable Object namespace whose objects Cloudflare
 *    creates and keeps only inside j. workerd does not implement jurisdictions ("Jurisdiction
 *    restrictions are not implemented in workerd"), so outside production the object is instead
 *    named `j:agentId` in the plain namespace: still a separate object per jurisdiction, which is
 *    what the tests can observe locally. Production never falls back.
 *  - evidence packs: EVIDENCE_EU / EVIDENCE_US / EVIDENCE_FEDRAMP, R2 buckets created and bound
 *    with `jurisdiction = "eu" | "us" | "fedramp"`; unrestricted agents use EVIDENCE.
 * A jurisdiction whose binding is missing fails closed (ERR_RESIDENCY_UNAVAILABLE): its data is
 * never written to an unrestricted binding instead.
 */
import { AegisError } from '../../attest/errors.ts'
import { isDevelopment } from '../config/defaults.ts'
import type { Jurisdiction } from './jurisdiction.ts'

const BUCKETS = { eu: 'EVIDENCE_EU', us: 'EVIDENCE_US', fedramp: 'EVIDENCE_FEDRAMP' } as const

export type ResidencyEnv = Env & Partial<Record<(typeof BUCKETS)[Jurisdiction], R2Bucket>>

export function ledgerId(env: Env, agentId: string, j: Jurisdiction | null): DurableObjectId {
  const ns = env.AGENT_LEDGER
  if (!j) return ns.idFromName(agentId)
  try {
    return ns.jurisdiction(j).idFromName(agentId)
  } catch (e) {
    if (!isDevelopment(env)) {
      throw new AegisError('ERR_RESIDENCY_UNAVAILABLE', `no ${j} Durable Object namespace`, {
        cause: e,
      })
    }
    return ns.idFromName(`${j}:${agentId}`)
  }
}

/** The R2 binding holding evidence of this jurisdiction, and its name (for views and tests). */
export function evidenceBucket(
  env: Env,
  j: Jurisdiction | null,
): { bucket: R2Bucket; binding: string } {
  if (!j) return { bucket: env.EVIDENCE, binding: 'EVIDENCE' }
  const binding = BUCKETS[j]
  const bucket = (env as ResidencyEnv)[binding]
  if (!bucket) {
    throw new AegisError('ERR_RESIDENCY_UNAVAILABLE', `no evidence bucket bound for ${j}`, {
      detail: { jurisdiction: j, binding },
    })
  }
  return { bucket, binding }
}

/** Where an agent's data lives, for operator views and the console. */
export function residencyView(env: Env, j: Jurisdiction | null) {
  return {
    jurisdiction: j,
    ledger: j ? `AGENT_LEDGER.jurisdiction('${j}')` : 'AGENT_LEDGER',
    evidence: j ? BUCKETS[j] : 'EVIDENCE',
    central: j ? 'coarsened location, no raw points' : 'exact location',
    gridDeg: j ? gridDeg(env) : null,
  }
}

/** Grid cell size (degrees) for restricted agents' locations in central D1 (RESIDENCY_GRID_DEG). */
export function gridDeg(env: Env): number {
  const v = Number((env as { RESIDENCY_GRID_DEG?: string }).RESIDENCY_GRID_DEG ?? '0.1')
  return Number.isFinite(v) && v > 0 && v <= 10 ? v : 0.1
}
