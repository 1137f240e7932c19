/**
 * The stateless half of batch admission (DESIGN.md "Batch ingest" step 4), cheapest check first:
 * schema -> agent known and active -> quote (strict TPMS_ATTEST, signer, extraData binding nonce
 * and payload, signature, PCR selection and digest) -> PCR policy -> geofence -> cf country.
 * Cryptographic and freshness checks always reject. Policy checks (PCR values, geofence, country)
 * reject in 'enforce' mode and become findings in 'audit' mode.
 */
import { sha256 } from '../../attest/crypto/hash.ts'
import { toHex } from '../../attest/bytes/encoding.ts'
import { batchQualifyingDataFromHash } from '../../attest/binding/qualifying-data.ts'
import { expectedSensorPcr } from '../../attest/binding/sensor-identity.ts'
import { AegisError, type ErrorCode } from '../../attest/errors.ts'
import { checkFix, FIX_FUTURE_SKEW_MS } from '../../attest/geofence/check-fix.ts'
import type { Zone } from '../../attest/geofence/types.ts'
import { parseBatchPayload, type BatchPayload } from '../../attest/ingest/batch-payload.ts'
import { QuoteEvidence, toPcrValues } from '../../attest/json/quote-evidence.ts'
import { b64url, object, optional, validate } from '../../attest/json/schema.ts'
import { EVENTLOG_LIMITS } from '../../attest/eventlog/parse-event-log.ts'
import { checkPcrPolicy, pcrsToHex } from '../../attest/policy/check-pcr-policy.ts'
import type { EcdsaBackend } from '../../attest/crypto/ecdsa-backend.ts'
import { verifyQuote, type QuoteResult } from '../../attest/quote/verify-quote.ts'
import type { Policy } from '../config/types.ts'
import type { CachedAgent } from './agent-cache.ts'

/** Default bound on how long an agent may spool a batch before it is refused. */
export const DEFAULT_MAX_BATCH_AGE_S = 7 * 86_400

export const BatchBody = object({
  payload: b64url({ min: 2, max: 4 * 1024 * 1024 }),
  nonce: b64url({ min: 32, max: 32 }),
  quote: QuoteEvidence,
  /** The UEFI event log, sent when the quoted boot PCRs changed (docs/measured-boot.md). */
  eventLog: optional(b64url({ min: 1, max: EVENTLOG_LIMITS.maxBytes })),
})

/** Codes that audit mode records instead of rejecting. */
export const POLICY_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ERR_PCR_POLICY',
  'ERR_GEO_OUTSIDE',
  'ERR_GEO_ACCURACY',
  'ERR_GEO_STALE_FIX',
  'ERR_GEO_SENSOR',
  'ERR_GEO_NO_ZONE',
  'ERR_GEO_IMPOSSIBLE_TRAVEL',
  'ERR_GEO_COUNTRY',
  'ERR_EVENTLOG_POLICY',
  'ERR_EVENTLOG_REQUIRED',
])

export interface VerifiedBatch {
  batchId: string
  payload: BatchPayload
  /** The request's own base64url texts (canonical: the strict decoder rejects any other form). */
  text: { payload: string; nonce: string; attest: string; signature: string }
  nonce: Uint8Array
  quote: QuoteResult
  wire: ReturnType<typeof BatchBody>
  zone: string | null
  findings: ErrorCode[]
}

export interface VerifyBatchInput {
  raw: unknown
  agentId: string
  agent: CachedAgent
  policy: Policy
  zones: Map<string, Zone>
  defaultZoneIds: string[]
  cfCountry: string | null
  now: number
  /** Told the batchId as soon as the body is valid, so a later rejection can name the batch. */
  onBatchId?: (batchId: string) => void
  ecdsa: EcdsaBackend
}

export function verifyBatch(input: VerifyBatchInput): VerifiedBatch {
  const { agent, policy } = input
  const wire = validate(input.raw, BatchBody)
  // The one SHA-256 over the payload: batchId, and the inner hash of the expected qualifyingData.
  const payloadHash = sha256(wire.payload)
  const batchId = toHex(payloadHash)
  input.onBatchId?.(batchId)
  if (agent.record.status !== 'active')
    throw new AegisError('ERR_AGENT_REVOKED', 'agent is revoked')
  const payload = parseBatchPayload(wire.payload)
  if (payload.agentId !== input.agentId) {
    throw new AegisError('ERR_PAYLOAD_MISMATCH', 'payload.agentId is not the agent in the path')
  }
  checkBatchAge(payload.collectedAt, policy, input.now)
  const quote = verifyQuote({
    ak: agent.ak,
    attest: wire.quote.attest,
    signature: wire.quote.signature,
    expectedExtraData: batchQualifyingDataFromHash(wire.nonce, payloadHash),
    pcrs: toPcrValues(wire.quote.pcrs),
    expectedSelection: policy.pcr.selection,
    ecdsa: input.ecdsa,
  })
  const { zone, findings } = judgePolicy(input, quote, payload)
  return {
    batchId,
    payload,
    text: textsOf(input.raw),
    nonce: wire.nonce,
    quote,
    wire,
    zone,
    findings,
  }
}

/** collectedAt is neither in the future (beyond the fix skew) nor older than the policy allows. */
function checkBatchAge(collectedAt: number, policy: Policy, now: number): void {
  const maxAgeMs = (policy.maxBatchAgeSeconds ?? DEFAULT_MAX_BATCH_AGE_S) * 1000
  if (collectedAt > now + FIX_FUTURE_SKEW_MS || now - collectedAt > maxAgeMs) {
    throw new AegisError(
      'ERR_BATCH_STALE',
      'collectedAt is in the future or older than the policy allows',
      {
        detail: { collectedAt, maxAgeSeconds: maxAgeMs / 1000 },
      },
    )
  }
}

/**
 * The policy checks on a verified quote, in order: PCR policy, geofence fix, request country. In
 * audit mode a policy refusal becomes a finding on the accepted batch instead.
 */
function judgePolicy(
  input: VerifyBatchInput,
  quote: QuoteResult,
  payload: BatchPayload,
): { zone: string | null; findings: ErrorCode[] } {
  const { agent, policy } = input
  const findings: ErrorCode[] = []
  const policyCheck = <T>(f: () => T): T | undefined => {
    try {
      return f()
    } catch (e) {
      if (policy.mode === 'audit' && e instanceof AegisError && POLICY_CODES.has(e.code)) {
        findings.push(e.code)
        return undefined
      }
      throw e
    }
  }

  policyCheck(() =>
    checkPcrPolicy({
      quoted: quote.pcrs ?? {},
      baseline: withoutGoverned(agent.record.pcrBaseline, policy.eventLog?.pcrs),
      mode: policy.pcr.mode,
      golden: policy.pcr.golden,
      sensorPcr: policy.pcr.sensorPcr,
      expectedSensorPcr: expectedSensorPcr(agent.record.sensor),
    }),
  )
  const zoneIds = agent.record.zones.length ? agent.record.zones : input.defaultZoneIds
  const zones = zoneIds.map((z) => input.zones.get(z)).filter((z): z is Zone => z !== undefined)
  const fix = policyCheck(() =>
    checkFix({
      fix: payload.location,
      zones,
      enrolledSensorId: agent.record.sensor.id,
      // A spooled batch is judged as of its collection: the fix must be fresh then.
      now: payload.collectedAt,
      maxFixAgeMs: policy.geo.maxFixAgeSeconds * 1000,
      maxSpeedMps: policy.geo.maxSpeedMps,
    }),
  )
  const zone = fix?.zoneId ?? null
  if (zone && policy.geo.requireCountryMatch) {
    const countries = input.zones.get(zone)?.countries ?? []
    policyCheck(() => {
      if (countries.length && (!input.cfCountry || !countries.includes(input.cfCountry))) {
        throw new AegisError('ERR_GEO_COUNTRY', 'the request country does not match the zone', {
          detail: { country: input.cfCountry, allowed: countries },
        })
      }
    })
  }
  return { zone, findings }
}

export function wireQuote(v: VerifiedBatch): {
  attest: string
  signature: string
  pcrs: Record<string, Record<string, string>>
} {
  return {
    attest: v.text.attest,
    signature: v.text.signature,
    pcrs: pcrsToHex(toPcrValues(v.wire.quote.pcrs)),
  }
}

/** PCRs an event-log policy governs are judged by the log (worker/bootlog), not the baseline. */
function withoutGoverned(baseline: Record<string, Record<string, string>>, governed?: number[]) {
  if (!governed) return baseline
  const out: Record<string, Record<string, string>> = {}
  for (const [bank, values] of Object.entries(baseline)) {
    const kept = Object.entries(values).filter(([i]) => !governed.includes(Number(i)))
    out[bank] = Object.fromEntries(kept)
  }
  return out
}

/** The body's base64url fields as sent; only called after validate() accepted them. */
function textsOf(raw: unknown): VerifiedBatch['text'] {
  const b = raw as { payload: string; nonce: string; quote: { attest: string; signature: string } }
  return {
    payload: b.payload,
    nonce: b.nonce,
    attest: b.quote.attest,
    signature: b.quote.signature,
  }
}
