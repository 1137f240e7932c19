/**
 * Enroll a simulated agent through the collector's real enrollment API, as agent/enroll does with
 * a real TPM: POST /v1/enroll (EK and AK TPM2B_PUBLIC, no EK certificate: the EK must be on the
 * allowlist), measure the location sensor into the sensor PCR once, ActivateCredential on the
 * soft TPM, quote the returned selection with the activation qualifyingData, and POST
 * /v1/enroll/{enrollmentId}/activate. Throws on any non-2xx answer.
 * Leaves out EK certificates and agent state on disk (the benchmark keeps agents in memory).
 */
import { fromB64url, toB64url } from '../../attest/bytes/encoding.ts'
import { ByteReader } from '../../attest/bytes/reader.ts'
import { activationQualifyingData } from '../../attest/binding/qualifying-data.ts'
import { sensorMeasurement, type SensorIdentity } from '../../attest/binding/sensor-identity.ts'
import { pcrsToHex } from '../../attest/policy/check-pcr-policy.ts'
import type { PcrSelection } from '../../attest/tpm/types.ts'
import type { SoftTpm } from './soft-tpm.ts'
import type { EnrollReply } from '../../attest/wire/types.ts'

export interface SimAgent {
  tpm: SoftTpm
  agentId: string
  sensor: SensorIdentity
  /** The PCR selection every quote must cover, as the collector sent it at enrollment. */
  selection: PcrSelection[]
}

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`POST ${new URL(url).pathname}: HTTP ${res.status} ${text}`)
  return JSON.parse(text) as T
}

/** The body of a TPM2B (u16 size, then exactly that many bytes). */
function tpm2bBody(b: Uint8Array): Uint8Array {
  const r = new ByteReader(b)
  const body = r.sized()
  r.end()
  return body
}

export async function enrollSimAgent(
  collector: string,
  tpm: SoftTpm,
  sensor: SensorIdentity,
): Promise<SimAgent> {
  const ch = await post<EnrollReply>(`${collector}/v1/enroll`, {
    ekPublic: toB64url(tpm.ekPublic2b),
    akPublic: toB64url(tpm.akPublic2b),
    platform: { kind: 'aegis-bench soft TPM' },
    locationSensor: sensor,
  })
  if (ch.agentId !== tpm.agentId)
    throw new Error(`collector derived agentId ${ch.agentId}, expected ${tpm.agentId}`)
  tpm.extendPcr(ch.sensorPcr, sensorMeasurement(sensor))
  const secret = await tpm.activateCredential(
    tpm2bBody(fromB64url(ch.credentialBlob)),
    tpm2bBody(fromB64url(ch.encryptedSecret)),
  )
  const q = tpm.quote(activationQualifyingData(ch.enrollmentId, secret), ch.quoteSelection)
  await post(`${collector}/v1/enroll/${ch.enrollmentId}/activate`, {
    secret: toB64url(secret),
    quote: {
      attest: toB64url(q.attest),
      signature: toB64url(q.signature),
      pcrs: pcrsToHex(q.pcrs),
    },
    challenge: ch.challenge,
  })
  return { tpm, agentId: tpm.agentId, sensor, selection: ch.quoteSelection }
}
