/**
 * POST /v1/enroll/{enrollmentId}/activate: the agent proves it recovered the credential secret
 * (TPM2_ActivateCredential succeeds only in the TPM holding both the EK and the AK) and sends a
 * quote over the policy PCR selection with qualifyingData bound to that secret
 * (attest/binding/qualifying-data.ts). The quote pins the PCR baseline and proves the sensor PCR.
 * The pending enrollment comes back sealed in the body (`challenge`, sealed-challenge.ts).
 * Single use: the ledger remembers a used challenge until it expires. A wrong secret or a bad
 * quote is refused with nothing stored (the 32-byte secret cannot be guessed, so a refusal need
 * not burn the challenge, and a stranger's attempts cannot spend the agent's).
 */
import { sha256 } from '../../attest/crypto/hash.ts'
import { constantTimeEqual, fromB64url, fromHex } from '../../attest/bytes/encoding.ts'
import { activationQualifyingData } from '../../attest/binding/qualifying-data.ts'
import { expectedSensorPcr } from '../../attest/binding/sensor-identity.ts'
import { AegisError } from '../../attest/errors.ts'
import { checkPcrPolicy, pcrsToHex } from '../../attest/policy/check-pcr-policy.ts'
import { verifyQuote } from '../../attest/quote/verify-quote.ts'
import { parseTpmtPublic } from '../../attest/tpm/public.ts'
import { AK_BINDING_TYP, type AkBindingClaims } from '../../attest/bundle/evidence-bundle.ts'
import { loadConfig } from '../config/settings-store.ts'
import { ecdsaBackend } from '../crypto/ecdsa-backend.ts'
import { withPendingZones } from '../residency/pending-zones.ts'
import { signCompact } from '../tokens/sign-compact.ts'
import { agentLedger } from '../ledger/ledger-stub.ts'
import { unwrap } from '../ledger/rpc-result.ts'
import { openChallenge } from './sealed-challenge.ts'
import type { AgentRecord } from '../ledger/types.ts'
import { QuoteEvidence, toPcrValues } from '../../attest/json/quote-evidence.ts'
import { b64url, object, optional, validate } from '../../attest/json/schema.ts'
import { EVENTLOG_LIMITS } from '../../attest/eventlog/parse-event-log.ts'
import type { ErrorCode } from '../../attest/errors.ts'
import { judgeBootIfGoverned } from '../bootlog/judge-batch-boot.ts'
import { rememberBoot } from '../bootlog/judge-boot.ts'

export const ActivateBody = object({
  secret: b64url({ min: 16, max: 64 }),
  quote: QuoteEvidence,
  challenge: b64url({ min: 28, max: 24 * 1024 }),
  /** The UEFI event log; required when the policy judges boot by it (docs/measured-boot.md). */
  eventLog: optional(b64url({ min: 1, max: EVENTLOG_LIMITS.maxBytes })),
})

const ENROLLMENT_ID = /^([0-9a-f]{64})\.[A-Za-z0-9_-]{22}$/

/** `onOpened` runs once the sealed challenge opened (the per-agent rate limit). */
export async function activateEnrollment(
  env: Env,
  enrollmentId: string,
  raw: unknown,
  onOpened?: (agentId: string) => Promise<void>,
): Promise<AgentRecord> {
  const m = ENROLLMENT_ID.exec(enrollmentId)
  if (!m) throw new AegisError('ERR_ENROLL_NOT_FOUND', 'no such enrollment challenge')
  const body = validate(raw, ActivateBody)
  const pending = openChallenge(env, enrollmentId, body.challenge)
  if (pending.record.agentId !== m[1])
    throw new AegisError('ERR_ENROLL_NOT_FOUND', 'no such enrollment challenge')
  await onOpened?.(pending.record.agentId)
  if (!constantTimeEqual(sha256(body.secret), fromHex(pending.secretSha256))) {
    throw new AegisError('ERR_ENROLL_SECRET', 'activation secret does not match')
  }

  const { config } = await loadConfig(env)
  const policy = config.policy
  if (!policy) throw new AegisError('ERR_POLICY_UNCONFIGURED', 'no PCR policy is configured')
  const ak = parseTpmtPublic(fromB64url(pending.record.akPublic))
  const q = verifyQuote({
    ak,
    attest: body.quote.attest,
    signature: body.quote.signature,
    expectedExtraData: activationQualifyingData(enrollmentId, body.secret),
    pcrs: toPcrValues(body.quote.pcrs),
    expectedSelection: policy.pcr.selection,
    ecdsa: ecdsaBackend(env),
  })
  const quoted = q.pcrs ?? {}
  checkPcrPolicy({
    quoted,
    baseline: {},
    mode: policy.pcr.mode,
    golden: policy.pcr.golden,
    sensorPcr: policy.pcr.sensorPcr,
    expectedSensorPcr: expectedSensorPcr(pending.record.sensor),
  })
  // Measured boot (docs/measured-boot.md); in audit mode policy findings do not refuse activation.
  const findings: ErrorCode[] = []
  const boot = await judgeBootIfGoverned({
    db: env.DB,
    agentId: pending.record.agentId,
    policy,
    policyVersion: config.policyVersion,
    quoted,
    eventLog: body.eventLog,
    now: Date.now(),
    findings,
  })
  const baseline = pcrsToHex(quoted)
  const claims: AkBindingClaims = {
    agentId: pending.record.agentId,
    ekPublicSha256: pending.record.agentId,
    ekCertSha256: pending.record.ekCertSha256,
    akName: pending.record.akName,
    enrollmentId,
    iat: Math.floor(Date.now() / 1000),
  }
  const binding = await signCompact(env, AK_BINDING_TYP, claims)
  const record = unwrap(
    await agentLedger(env, pending.record.agentId).activate(pending, baseline, binding),
  )
  if (boot) await rememberBoot(env.DB, record.agentId, boot, Date.now())
  return withPendingZones(env, record)
}
