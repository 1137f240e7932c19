/**
 * The attestation-result token an agent receives on activation: what the collector verified about
 * it (EK chain, AK binding, PCR baseline, sensor), shaped as an EAR by worker/tokens.
 */
import { sha256 } from '../../attest/crypto/hash.ts'
import { fromHex, toHex, utf8, concat } from '../../attest/bytes/encoding.ts'
import { fromB64url } from '../../attest/bytes/encoding.ts'
import { parseTpmtPublic } from '../../attest/tpm/public.ts'
import { akThumbprint } from '../tokens/ak-thumbprint.ts'
import { AegisError } from '../../attest/errors.ts'
import {
  EAR_FORMATS,
  issueAttestationResult,
  type EarFormat,
} from '../tokens/issue-attestation-result.ts'
import type { AgentRecord } from '../ledger/types.ts'
import { loadConfig } from '../config/settings-store.ts'

export const AGENT_TOKEN_TTL_SECONDS = 3600

/** Digest over the pinned PCR values (bank, index, value), a stable summary for the `por` claim. */
export function baselineDigest(b: AgentRecord['pcrBaseline']): string {
  const parts: Uint8Array[] = []
  for (const bank of Object.keys(b).sort()) {
    for (const idx of Object.keys(b[bank]!)
      .map(Number)
      .sort((x, y) => x - y)) {
      parts.push(utf8(`${bank}:${idx}:`), fromHex(b[bank]![String(idx)]!))
    }
  }
  return toHex(sha256(concat(...parts)))
}

/**
 * EAR_FORMAT (a var, optional): "draft" (draft-ietf-rats-ear-04, the default) or "veraison" (the
 * claim names today's veraison/ear library reads), docs/keys.md. Anything else is a deployment
 * error, reported rather than guessed.
 */
export function earFormat(env: { EAR_FORMAT?: string }): EarFormat {
  const v = env.EAR_FORMAT ?? 'draft'
  if ((EAR_FORMATS as readonly string[]).includes(v)) return v as EarFormat
  throw new AegisError('ERR_INTERNAL', `EAR_FORMAT must be one of ${EAR_FORMATS.join(', ')}`)
}

export async function issueAgentToken(
  env: Env,
  agent: AgentRecord,
  policyId = 'default',
): Promise<string> {
  const policy = (await loadConfig(env)).config.policy
  const golden = policy?.pcr.mode === 'golden' && Object.keys(policy.pcr.golden).length > 0
  const appraisedBy = policy?.eventLog ? 'event-log' : golden ? 'golden' : undefined
  return issueAttestationResult(env, {
    agentId: agent.agentId,
    trustDomain: env.TRUST_DOMAIN,
    akName: agent.akName,
    akThumbprint: await akThumbprint(parseTpmtPublic(fromB64url(agent.akPublic))),
    ekCertHash: agent.ekCertSha256 ?? undefined,
    pcrDigest: baselineDigest(agent.pcrBaseline),
    ...(appraisedBy ? { executablesAppraisedBy: appraisedBy } : {}),
    policyId,
    zone: agent.zones[0],
    sensorId: agent.sensor.id,
    ttlSeconds: AGENT_TOKEN_TTL_SECONDS,
    format: earFormat(env as { EAR_FORMAT?: string }),
  })
}
