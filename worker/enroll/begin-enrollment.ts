/**
 * POST /v1/enroll: admit an EK (genuine device) and an AK (attestation key), and challenge the
 * agent to prove the AK lives in the same TPM as the EK (TPM2_MakeCredential, TPM 2.0 Part 1 §24).
 * Checks, cheapest first: body shape -> EK/AK structures -> EK attributes -> AK attributes and
 * algorithm -> EK certificate chain to a manufacturer root and key match (or, without a
 * certificate, an allowlist entry) -> allowlist when enabled. Nothing is stored until every check
 * passed; then the challenge (only the secret's hash) is sealed into the reply
 * (sealed-challenge.ts): nothing is stored until the activation succeeds.
 */
// The reply's wire shape is shared with the agent, bench and console.
import type { EnrollReply } from '../../attest/wire/types.ts'
import { sha256 } from '../../attest/crypto/hash.ts'
import { toB64url, toHex } from '../../attest/bytes/encoding.ts'
import { ByteWriter } from '../../attest/bytes/writer.ts'
import { makeCredential } from '../../attest/credential/make-credential.ts'
import { checkAttestationKey } from '../../attest/enroll/check-ak.ts'
import { checkEndorsementKey } from '../../attest/enroll/check-ek-attributes.ts'
import {
  checkEkCertificate,
  parseTrust,
  type EkCertCheck,
  type ParsedTrust,
} from '../../attest/enroll/check-ek-cert.ts'
import type { EffectiveConfig, TrustSettings } from '../config/types.ts'
import { AegisError } from '../../attest/errors.ts'
import { objectName } from '../../attest/tpm/name.ts'
import { parseTpm2bPublic } from '../../attest/tpm/public.ts'
import type { TpmPublic } from '../../attest/tpm/types.ts'
import { loadConfig } from '../config/settings-store.ts'
import { ecdsaBackend } from '../crypto/ecdsa-backend.ts'
import { isDevelopment } from '../config/defaults.ts'
import {
  anyJson,
  array,
  b64url,
  object,
  optional,
  str,
  validate,
} from '../../attest/json/schema.ts'
import { agentStatus } from '../store/agents.ts'
import { sealChallenge } from './sealed-challenge.ts'
import type { PendingEnrollment } from '../ledger/types.ts'

export const ENROLLMENT_TTL_MS = 5 * 60 * 1000

// Parsed trust config per config object (the settings cache hands out the same object until it
// changes): parsing the whole vendor set costs ~250 ms of CPU, verifying a chain a few ms.
// Loss-tolerant and bounded by the config objects alive.
const parsedTrust = new WeakMap<TrustSettings, ParsedTrust>()

function trustOf(t: TrustSettings): ParsedTrust {
  let p = parsedTrust.get(t)
  if (!p) parsedTrust.set(t, (p = parseTrust(t.roots, t.intermediates)))
  return p
}

const SensorId = str({ min: 1, max: 128, pattern: /^[\x21-\x7e]+$/ })

export const EnrollBody = object({
  ekPublic: b64url({ min: 2, max: 1024 }),
  ekCert: optional(b64url({ min: 1, max: 8192 })),
  /** CA certificates (DER) that chain the EK certificate: from NV or the --ek-cert bundle. */
  ekCertChain: optional(array(b64url({ min: 1, max: 8192 }), { max: 8 })),
  akPublic: b64url({ min: 2, max: 1024 }),
  platform: optional(anyJson(2048)),
  locationSensor: object({ id: SensorId, firmware: SensorId }),
})

/**
 * The manufacturer's word for the EK: its certificate chains to a configured root, or the
 * allowlist names it (by agentId or certificate serial). With the allowlist on, only listed EKs.
 */
function admitEk(
  env: Env,
  config: EffectiveConfig,
  e: { body: ReturnType<typeof EnrollBody>; ek: TpmPublic; agentId: string; now: number },
): EkCertCheck | undefined {
  let cert: EkCertCheck | undefined
  if (e.body.ekCert) {
    if (!config.trust || config.trust.roots.length === 0) {
      throw new AegisError('ERR_TRUST_ROOTS', 'no manufacturer trust roots are configured')
    }
    cert = checkEkCertificate({
      nvBytes: e.body.ekCert,
      ek: e.ek,
      trust: trustOf(config.trust),
      sentIntermediates: e.body.ekCertChain ?? [],
      at: new Date(e.now),
      ecdsa: ecdsaBackend(env),
    })
  }
  const al = config.allowlist
  const listed =
    al.ekPublicSha256.includes(e.agentId) ||
    (cert !== undefined && al.certSerials.includes(cert.serial))
  if (al.enabled && !listed) {
    throw new AegisError('ERR_EK_NOT_ALLOWED', 'this EK is not on the allowlist', {
      detail: { agentId: e.agentId },
    })
  }
  // Without a certificate there is no manufacturer proof: only an explicit allowlist entry admits.
  if (!cert && !(al.enabled && listed)) {
    throw new AegisError(
      'ERR_CERT_CHAIN',
      'an EK certificate is required for EKs not on the allowlist',
    )
  }
  return cert
}

/**
 * `onAdmissible` runs once the EK and AK passed every check, before the challenge is made: the
 * per-agent rate limit, charged only for EKs that could enroll (a random EK is a refusal, counted
 * against the client instead).
 */
export async function beginEnrollment(
  env: Env,
  raw: unknown,
  now = Date.now(),
  onAdmissible?: (agentId: string) => Promise<void>,
): Promise<EnrollReply> {
  const body = validate(raw, EnrollBody)
  const ek = parseTpm2bPublic(body.ekPublic)
  const ak = parseTpm2bPublic(body.akPublic)
  const agentId = toHex(sha256(ek.raw))
  checkEndorsementKey(ek)
  checkAttestationKey(ak)

  const { config } = await loadConfig(env)
  if (!config.policy) throw new AegisError('ERR_POLICY_UNCONFIGURED', 'no PCR policy is configured')
  const cert = admitEk(env, config, { body, ek, agentId, now })

  await onAdmissible?.(agentId)
  const akName = objectName(ak)
  const secret = crypto.getRandomValues(new Uint8Array(32))
  const { credentialBlob, encryptedSecret } = makeCredential({ ek, objectName: akName, secret })
  const enrollmentId = `${agentId}.${toB64url(crypto.getRandomValues(new Uint8Array(16)))}`
  const expiresAt = now + ENROLLMENT_TTL_MS
  const pending: PendingEnrollment = {
    enrollmentId,
    secretSha256: toHex(sha256(secret)),
    expiresAt,
    record: {
      agentId,
      ekPublic: toB64url(ek.raw),
      ekCert: cert ? toB64url(cert.der) : null,
      ...(cert && cert.chain.length ? { ekCertChain: cert.chain.map((d) => toB64url(d)) } : {}),
      ekCertSha256: cert?.sha256 ?? null,
      ekCertSerial: cert?.serial ?? null,
      ekCertIssuer: cert?.issuer ?? null,
      akPublic: toB64url(ak.raw),
      akName: toHex(akName),
      platform: (body.platform as Record<string, unknown> | undefined) ?? {},
      sensor: body.locationSensor,
    },
  }
  // A revoked agent cannot start a new enrollment (read from D1: an unknown EK creates nothing).
  if ((await agentStatus(env.DB, agentId)) === 'revoked')
    throw new AegisError('ERR_AGENT_REVOKED', 'agent is revoked')
  const challenge = sealChallenge(env, pending)
  if (isDevelopment(env)) console.log(`enroll: challenge issued for agent ${agentId}`)
  return {
    enrollmentId,
    agentId,
    // TPM2B forms (u16 size prefix): exactly the TPM2_ActivateCredential parameters.
    credentialBlob: toB64url(new ByteWriter().sized(credentialBlob).finish()),
    encryptedSecret: toB64url(new ByteWriter().sized(encryptedSecret).finish()),
    expiresAt: new Date(expiresAt).toISOString(),
    quoteSelection: config.policy.pcr.selection,
    sensorPcr: config.policy.pcr.sensorPcr,
    challenge,
  }
}
